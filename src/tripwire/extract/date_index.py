"""Which merge groups a dated report could possibly fit, found by date instead of by comparing it with every group.

Merging compares each report with the groups built so far; done naively that is
quadratic in the corpus (10,000 articles: 16 million comparisons). Two dated
events can only be one when their dates are compatible
(:func:`tripwire.extract.events.date_values_compatible`), and compatible dates
are never far apart: taking a date's span (a day, its month or its year; "about
a week" is its day), the spans of two compatible dates are at most
:data:`GAP_DAYS` apart for their two precisions. :class:`DateIndex` files each
group under its span at its precision's granularity (day, month or year) and
answers with every group whose span lies within that gap of the report's span.

The answer is a superset of the groups that fit (each is still checked by the
merge rules) plus every undated group, so clustering with it gives exactly the
groups a full scan gives. Groups are re-filed when merging changes their date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

#: For (report precision, group precision): the most days between the spans of two compatible dates.
#: Same day within a day's slack; a month or a year against a finer date must overlap it; "about a week"
#: (precision None) reaches 8 days past a day or a month, and in January or December the whole year before or after
#: (``date_values_compatible`` lets such a date fit the neighbouring year: up to 366 days from its span).
GAP_DAYS: dict[tuple[str | None, str | None], int] = {
    **{(a, b): 0 for a in ("day", "month", "year") for b in ("day", "month", "year")},
    ("day", "day"): 1,
    **{(a, None): 8 for a in ("day", "month", None)},
    **{(None, a): 8 for a in ("day", "month")},
    ("year", None): 366,
    (None, "year"): 366,
}

_PRECISIONS = ("day", "month", "year", None)


def span(date: dt.date, precision: str | None) -> tuple[dt.date, dt.date]:
    """The days a date at a precision stands for: the day, its month or its year ("about a week": the day)."""
    if precision == "year":
        return dt.date(date.year, 1, 1), dt.date(date.year, 12, 31)
    if precision == "month":
        first = date.replace(day=1)
        return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return date, date


def _keys(precision: str | None, lo: dt.date, hi: dt.date) -> Iterator[int]:
    """The bucket keys of the days lo..hi at a precision's granularity (day ordinal, month number, year)."""
    if precision == "year":
        yield from range(lo.year, hi.year + 1)
    elif precision == "month":
        yield from range(lo.year * 12 + lo.month - 1, hi.year * 12 + hi.month)
    else:
        yield from range(lo.toordinal(), hi.toordinal() + 1)


class DateIndex:
    """Group numbers filed by date, for :meth:`candidates` (see the module docstring)."""

    def __init__(self) -> None:
        self._buckets: dict[str | None, dict[int, set[int]]] = {p: {} for p in _PRECISIONS}
        self._filed: dict[int, tuple[str | None, tuple[int, ...]]] = {}
        self._undated: set[int] = set()

    def add(self, number: int, date: dt.date | None, precision: str | None) -> None:
        """File group ``number`` under its date (replacing where it was filed before)."""
        self.remove(number)
        if date is None:
            self._undated.add(number)
            return
        keys = tuple(_keys(precision, *span(date, precision)))
        for key in keys:
            self._buckets[precision].setdefault(key, set()).add(number)
        self._filed[number] = (precision, keys)

    def remove(self, number: int) -> None:
        """Take group ``number`` out of the index (nothing if it is not filed)."""
        self._undated.discard(number)
        filed = self._filed.pop(number, None)
        if filed is None:
            return
        precision, keys = filed
        buckets = self._buckets[precision]
        for key in keys:
            members = buckets[key]
            members.discard(number)
            if not members:
                del buckets[key]

    def add_days(self, number: int, lo: dt.date, hi: dt.date) -> None:
        """File group ``number`` under every day from ``lo`` to ``hi`` (replacing where it was filed before), for :meth:`between`."""
        self.remove(number)
        keys = tuple(_keys("day", lo, hi))
        for key in keys:
            self._buckets["day"].setdefault(key, set()).add(number)
        self._filed[number] = ("day", keys)

    def between(self, lo: dt.date, hi: dt.date) -> set[int]:
        """Every filed group whose span meets the days ``lo`` to ``hi`` (no slack), and every undated group."""
        out: set[int] = set(self._undated)
        for precision, buckets in self._buckets.items():
            for key in _keys(precision, lo, hi) if buckets else ():
                members = buckets.get(key)
                if members:
                    out.update(members)
        return out

    def candidates(self, date: dt.date, precision: str | None, *, undated: bool = True) -> set[int]:
        """Every group a report dated ``date`` at ``precision`` could fit by date, and (with ``undated``) every undated group."""
        lo, hi = span(date, precision)
        out: set[int] = set(self._undated) if undated else set()
        for group_precision, buckets in self._buckets.items():
            if not buckets:
                continue
            gap = dt.timedelta(days=GAP_DAYS[(precision, group_precision)])
            for key in _keys(group_precision, lo - gap, hi + gap):
                members = buckets.get(key)
                if members:
                    out.update(members)
        return out

    def __len__(self) -> int:
        return len(self._filed) + len(self._undated)
