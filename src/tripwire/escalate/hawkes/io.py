"""Event tables from CSV files, and the one-call fit / forecast workflows the CLI uses.

A CSV holds one event per row: a time column (days as a number, or an ISO date /
datetime, converted to days since the first event's midnight) and a dimension
column (a dyad label such as ``militia->US``). Dimensions are sorted by label.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import EstimationError, InputError, ParseError
from .estimators import HawkesExp, HawkesSumExp
from .forecast import DEFAULT_QUANTILES, ForecastResult

KERNELS = ("exp", "sumexp")


@dataclass(frozen=True)
class EventTable:
    """Events read from a table: ``events[d]`` are the times (days) of ``dim_names[d]``.

    ``origin`` is the ISO date that time 0 stands for when the file held dates, else None.
    """

    events: tuple[np.ndarray, ...]
    dim_names: tuple[str, ...]
    end_time: float
    origin: str | None


def _parse_times(raw: list[str], column: str) -> tuple[np.ndarray, str | None]:
    try:
        return np.array([float(v) for v in raw]), None
    except ValueError:
        pass
    stamps = []
    for n, value in enumerate(raw, start=2):
        try:
            stamps.append(datetime.fromisoformat(value.strip()))
        except ValueError:
            raise ParseError(f"row {n}: {column!r} value {value!r} is neither a number of days nor an ISO date") from None
    if len({s.tzinfo is None for s in stamps}) > 1:
        raise ParseError(f"column {column!r} mixes dates with and without time zones")
    origin = min(stamps).replace(hour=0, minute=0, second=0, microsecond=0)
    days = np.array([(s - origin).total_seconds() / 86400.0 for s in stamps])
    return days, origin.date().isoformat()


def read_events_csv(path: str | Path, *, dims: str, time: str, end_time: float | None = None) -> EventTable:
    """Read events from a CSV with a header row; ``dims``/``time`` name the columns."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"events file {str(p)!r} does not exist")
    try:
        with p.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ParseError(f"cannot read {p.name} as a UTF-8 CSV file: {exc}") from None
    if not rows:
        raise ParseError(f"{p.name} has no event rows")
    for col in (dims, time):
        if col not in rows[0]:
            raise ParseError(f"{p.name} has no column {col!r}; columns are {sorted(k for k in rows[0] if k)}")
    labels = []
    for n, row in enumerate(rows, start=2):
        label = (row[dims] or "").strip()
        if not label:
            raise ParseError(f"row {n} of {p.name} has an empty {dims!r} value")
        labels.append(label)
    times, origin = _parse_times([(row[time] or "").strip() for row in rows], time)
    if not np.all(np.isfinite(times)):
        raise ParseError(f"column {time!r} of {p.name} contains non-finite times")
    if np.any(times < 0):
        raise ParseError(f"column {time!r} of {p.name} has negative times; give days since the start of observation")
    last = float(times.max())
    end = last if end_time is None else float(end_time)
    if not (math.isfinite(end) and end > 0):
        raise InputError(f"the observation window must end after time 0, got end time {end!r}")
    if end < last:
        raise InputError(f"end time {end:g} is before the last event at {last:g}")
    names = sorted(set(labels))
    lab = np.array(labels)
    events = tuple(np.sort(times[lab == name]) for name in names)
    return EventTable(events, tuple(names), end, origin)


def parse_decays(decay: str | float) -> list[float]:
    """``"1.0"`` -> ``[1.0]``; ``"0.1,1,10"`` -> three decays. Raises InputError when unusable."""
    try:
        values = [float(x) for x in str(decay).split(",") if x.strip()]
    except ValueError:
        raise InputError(f"decay must be a number or comma-separated numbers, got {decay!r}") from None
    if not values or any(not (math.isfinite(v) and v > 0) for v in values):
        raise InputError(f"decays must be positive numbers, got {decay!r}")
    return values


def build_model(kernel: str, decay: str | float, *, dim_names: tuple[str, ...], method: str = "mle") -> HawkesExp | HawkesSumExp:
    """A model for ``kernel`` (``exp`` or ``sumexp``); ``sumexp`` with one decay uses decay/10, decay, decay*10."""
    values = parse_decays(decay)
    if kernel == "exp":
        if len(values) != 1:
            raise InputError("the exp kernel takes one decay; use --kernel sumexp for several")
        return HawkesExp(values[0], dim_names=dim_names, method=method)
    if kernel == "sumexp":
        if len(values) == 1:
            values = [values[0] / 10.0, values[0], values[0] * 10.0]
        return HawkesSumExp(values, dim_names=dim_names, method=method)
    raise InputError(f"unknown kernel {kernel!r}; choose one of {', '.join(KERNELS)}")


def fit_events_csv(
    path: str | Path,
    *,
    dims: str,
    time: str,
    decay: str | float = 1.0,
    kernel: str = "exp",
    method: str = "mle",
    end_time: float | None = None,
) -> dict[str, Any]:
    """Read a CSV, fit a Hawkes model and return its summary with time-rescaling KS diagnostics."""
    table = read_events_csv(path, dims=dims, time=time, end_time=end_time)
    model = build_model(kernel, decay, dim_names=table.dim_names, method=method)
    model.fit(list(table.events), table.end_time)
    report = model.summary()
    report["origin"] = table.origin
    report["goodness_of_fit"] = model.goodness_of_fit(list(table.events), table.end_time).to_dict()
    return report


def forecast_events_csv(
    path: str | Path,
    *,
    dims: str,
    time: str,
    window: float,
    seed: int,
    n_sims: int = 1000,
    decay: str | float = 1.0,
    kernel: str = "exp",
    end_time: float | None = None,
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
) -> ForecastResult:
    """Fit on a CSV's events, then forecast counts in ``(end, end + window]`` (``end`` = end of observation)."""
    table = read_events_csv(path, dims=dims, time=time, end_time=end_time)
    model = build_model(kernel, decay, dim_names=table.dim_names)
    model.fit(list(table.events), table.end_time)
    if model.spectral_radius_ >= 1.0:
        raise EstimationError(
            f"the fitted process is explosive (spectral radius {model.spectral_radius_:.3f} >= 1); "
            "no meaningful count forecast exists -- try another decay"
        )
    return model.forecast(list(table.events), table.end_time, window, n_sims=n_sims, rng=np.random.default_rng(seed), quantiles=quantiles)
