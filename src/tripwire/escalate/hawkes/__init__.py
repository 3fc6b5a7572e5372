"""Multivariate Hawkes processes for attack intensity between actor dyads.

One dimension per directed dyad (e.g. ``"militia->US"``, ``"US->militia"``); the
adjacency says how much an event in one dyad raises the rate of the others.

* :class:`HawkesExp` -- exponential kernels (scalar or matrix decay)
* :class:`HawkesSumExp` -- sums of exponential kernels with shared decays
* :class:`ForecastResult` -- count forecast over a window
* :class:`GoodnessOfFit` -- time-rescaling KS diagnostics

See ``docs/hawkes.md``.
"""

from .diagnostics import GoodnessOfFit
from .estimators import HawkesExp, HawkesSumExp
from .forecast import ForecastResult
from .io import EventTable, fit_events_csv, forecast_events_csv, read_events_csv

__all__ = [
    "EventTable",
    "ForecastResult",
    "GoodnessOfFit",
    "HawkesExp",
    "HawkesSumExp",
    "fit_events_csv",
    "forecast_events_csv",
    "read_events_csv",
]
