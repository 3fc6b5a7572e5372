"""Multivariate Hawkes processes for attack intensity between actor dyads.

One dimension per directed dyad (e.g. ``"militia->US"``, ``"US->militia"``); the
adjacency says how much an event in one dyad raises the rate of the others.

* :class:`HawkesExp` -- exponential kernels (scalar or matrix decay)
* :class:`HawkesSumExp` -- sums of exponential kernels with shared decays
* :class:`ForecastResult` -- count forecast over a window
* :class:`GoodnessOfFit` -- time-rescaling KS diagnostics

See ``docs/hawkes.md``.

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "GoodnessOfFit": ".diagnostics",
    "HawkesExp": ".estimators",
    "HawkesSumExp": ".estimators",
    "ForecastResult": ".forecast",
    "EventTable": ".io",
    "fit_events_csv": ".io",
    "forecast_events_csv": ".io",
    "read_events_csv": ".io",
})
