"""Attack-intensity forecasts from what is in the store: a Hawkes model fitted to stored events.

Two dimensions by default: attacks on US-linked targets (stored incidents)
and US strikes (stored airstrike / drone-strike / assassination actions by
the United States). Times are days since the first dated event; the model is
fitted on everything up to the last event and forecasts the next
``window_days``. Used by the REST API's ``/api/v1/escalation/forecast``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import EstimationError
from ..model import Action, Incident

US_STRIKE_KINDS = frozenset({"airstrike", "drone-strike", "assassination"})


def event_times(incidents: Sequence[Incident], actions: Sequence[Action]) -> tuple[dt.date, dict[str, np.ndarray]]:
    """Day offsets of dated attacks and US strikes, from the first dated event."""
    attacks = [i.date for i in incidents if i.date is not None]
    strikes = [a.date for a in actions if a.date is not None and a.actor == "usa" and a.kind in US_STRIKE_KINDS]
    dated = attacks + strikes
    if not dated:
        raise EstimationError("no dated incidents or US strikes are stored: nothing to fit")
    origin = min(dated)

    def days(dates: list[dt.date]) -> np.ndarray:
        return np.sort(np.asarray([(d - origin).days for d in dates], dtype=float))

    return origin, {"attacks": days(attacks), "us-strikes": days(strikes)}


def forecast_from_events(
    incidents: Sequence[Incident],
    actions: Sequence[Action],
    *,
    window_days: float = 30.0,
    decay_per_day: float = 0.2,
    n_sims: int = 500,
    seed: int | np.random.Generator = 0,
) -> dict[str, Any]:
    """Fit a two-dimensional exponential Hawkes model and forecast the next ``window_days``."""
    from .hawkes import HawkesExp

    origin, events = event_times(incidents, actions)
    names = [name for name, times in events.items() if len(times)]
    end_time = max(float(events[n][-1]) for n in names) + 1.0
    model = HawkesExp(decay=decay_per_day, dim_names=names).fit({n: events[n] for n in names}, end_time)
    forecast = model.forecast({n: events[n] for n in names}, end_time, window_days, n_sims=n_sims, rng=seed)
    return {
        "origin": origin.isoformat(),
        "forecast_from": (origin + dt.timedelta(days=end_time)).isoformat(),
        "window_days": window_days,
        "decay_per_day": decay_per_day,
        "fit": model.summary(),
        "forecast": forecast.to_dict(),
    }
