"""Dates in news text, absolute and relative, resolved against the publication date.

Recognised forms (case-insensitive):

* ``27 December 2019``, ``December 27, 2019``, ``Dec. 27th 2019``, ``2019-12-27``, ``the 3rd of January`` -> day
* ``13/06/2019``, ``06/13/2019``, ``13.06.2019`` -> day: day first where the first number
  cannot be a month, month first where the second cannot, else the reading on or
  before publication nearest to it (day first on a tie)
* ``December 27`` (no year) -> the most recent such day on or before publication
* ``December 2019`` -> month; ``in October`` (no year) -> most recent October on or
  before publication, precision month
* ``Tuesday``, ``Tuesday's``, ``on Tuesday night`` -> the most recent Tuesday on or
  before publication (publication day itself included)
* ``yesterday``, ``today``, ``last night``, ``the day before yesterday``, ``two days ago`` -> relative to publication
* ``a week ago`` -> that many weeks before publication, precision None (approximate)
* ``last weekend``, ``over the weekend`` -> the Saturday before publication, precision None
* ``last week`` -> seven days before publication, precision None (approximate)
* ``last month`` / ``last year`` -> month / year precision

Impossible dates ("February 31", year 40000) are dropped, never raised. Dates
introduced by "before", "until" or "by" are deadlines, not event dates, and are
flagged ``deadline``. Relative forms need a publication date; without one they
are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import prefilter
from .lexicon import NUMBER_WORDS

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
MIN_YEAR, MAX_YEAR = 1900, 2100

_M = r"(?P<{n}>january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_D = r"(?P<{n}>\d{{1,2}})(?:st|nd|rd|th)?"
_Y = r"(?P<{n}>\d{{4}})"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", prefilter.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d-])")),
    # "13/06/2019", "06/13/2019", "13.06.2019": day-first or month-first, told apart by the numbers and the publication date
    ("num", prefilter.compile(r"(?<![\d/.-])(?:(?P<a>\d{1,2})/(?P<b>\d{1,2})/|(?P<a2>\d{2})\.(?P<b2>\d{2})\.)(?P<y>(?:19|20)\d{2})(?![\d/-]|\.\d)")),
    ("of", prefilter.compile(r"\bthe\s+" + _D.format(n="d") + r"\s+of\s+" + _M.format(n="m") + r"(?:,?\s+" + _Y.format(n="y") + r")?\b", re.I)),
    ("dmy", prefilter.compile(r"\b" + _D.format(n="d") + r"\s+" + _M.format(n="m") + r",?\s+" + _Y.format(n="y") + r"\b", re.I)),
    ("mdy", prefilter.compile(r"\b" + _M.format(n="m") + r"\s+" + _D.format(n="d") + r"(?:,\s*|\s+)" + _Y.format(n="y") + r"\b", re.I)),
    ("my", prefilter.compile(r"\b" + _M.format(n="m") + r",?\s+" + _Y.format(n="y") + r"\b", re.I)),
    ("md", prefilter.compile(r"\b" + _M.format(n="m") + r"\s+" + _D.format(n="d") + r"\b(?!\s*(?:,\s*)?\d)", re.I)),
    ("dm", prefilter.compile(r"\b" + _D.format(n="d") + r"\s+" + _M.format(n="m") + r"\b(?!,?\s+\d)", re.I)),
    ("weekday", prefilter.compile(r"\b(?P<w>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s)?\b", re.I)),
    ("rel", prefilter.compile(r"\b(?P<r>(?:the\s+)?day\s+before\s+yesterday|(?:last|over\s+the|at\s+the|this\s+past)\s+weekend|yesterday|today|tonight|last\s+night|last\s+week|last\s+month|last\s+year|earlier\s+this\s+week|earlier\s+this\s+month|this\s+month)\b", re.I)),
    ("ago", prefilter.compile(r"\b(?P<n>an?|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?P<u>days?|weeks?)\s+ago\b", re.I)),
    ("month", prefilter.compile(r"\b(?:(?:in|since|during|early|late|mid|the|last)\s+|mid-)(?P<m>january|february|march|april|june|july|august|september|october|november|december)\b(?![ \t]+\d)", re.I)),
    ("year", prefilter.compile(r"\b(?:in|since|during)\s+(?P<y>(?:19|20)\d{2})\b(?!-)")),
]

#: cheap tests that tell which patterns can match at all
_HINTS = {
    "digit": prefilter.compile(r"\d"),
    "month": prefilter.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I),
    "day": prefilter.compile(r"day\b|\blast\b|\btonight\b|\bearlier\b|\bthis\s+month\b|\bweekend\b", re.I),
    "ago": prefilter.compile(r"\bago\b", re.I),
}
_NEEDS = {"iso": ("digit",), "num": ("digit",), "of": ("digit", "month"), "dmy": ("digit", "month"), "mdy": ("digit", "month"), "my": ("digit", "month"), "md": ("digit", "month"),
          "dm": ("digit", "month"), "weekday": ("day",), "rel": ("day",), "ago": ("ago",), "month": ("month",), "year": ("digit",)}
_DEADLINE = prefilter.compile(r"(?:before|until|by|ahead\s+of)\s+(?:the\s+)?$", re.I)


@dataclass(frozen=True)
class DateMention:
    """A date found in text, with offsets relative to the text searched."""

    start: int
    end: int
    text: str
    date: dt.date
    precision: str | None
    deadline: bool = False
    #: the day something was said about the event ("..., officials said on Sunday"): the event happened then or shortly before
    weak: bool = False


def _valid_year(y: int) -> bool:
    return MIN_YEAR <= y <= MAX_YEAR


def _month_day_before(month: int, day: int, published: dt.date) -> dt.date | None:
    for year in (published.year, published.year - 1):
        try:
            d = dt.date(year, month, day)
        except ValueError:
            continue
        if d <= published:
            return d
    return None


def _numeric(a: int, b: int, year: int, published: dt.date | None) -> dt.date | None:
    """A numeric date: day first where the first number cannot be a month, month first where the second cannot;
    otherwise the reading on or before publication that is nearer to it (news reports what just happened), day first on a tie."""
    readings = []
    for day, month in ((a, b), (b, a)):
        try:
            readings.append(dt.date(year, month, day))
        except ValueError:
            continue
    readings = list(dict.fromkeys(readings))
    if not readings or not _valid_year(year):
        return None
    if len(readings) == 1 or published is None:
        return readings[0]
    before = [r for r in readings if r <= published]
    return min(before, key=lambda r: published - r) if before else min(readings)


def _resolve(kind: str, g: dict[str, str | None], published: dt.date | None) -> tuple[dt.date, str | None] | None:
    try:
        if kind in {"iso", "dmy", "mdy"}:
            y = int(g["y"] or 0)
            m = int(g["m"]) if kind == "iso" else MONTHS[(g["m"] or "").lower()]
            if not _valid_year(y):
                return None
            return dt.date(y, m, int(g["d"] or 0)), "day"
        if kind == "num":
            d = _numeric(int(g["a"] or g["a2"] or 0), int(g["b"] or g["b2"] or 0), int(g["y"] or 0), published)
            return (d, "day") if d else None
        if kind == "of":
            month, day = MONTHS[(g["m"] or "").lower()], int(g["d"] or 0)
            if g["y"]:
                return (dt.date(int(g["y"]), month, day), "day") if _valid_year(int(g["y"])) else None
            d = _month_day_before(month, day, published) if published else None
            return (d, "day") if d else None
        if kind in {"my", "md", "dm"} and not (g["m"] or "x")[0].isupper():
            return None  # "may" the verb, "mar" the word
        if kind == "my":
            y = int(g["y"] or 0)
            if not _valid_year(y):
                return None
            return dt.date(y, MONTHS[(g["m"] or "").lower()], 1), "month"
        if kind in {"md", "dm"}:
            if published is None:
                return None
            month, day = MONTHS[(g["m"] or "").lower()], int(g["d"] or 0)
            dt.date(2000, month, day)  # leap year: rejects only impossible days
            d = _month_day_before(month, day, published)
            return (d, "day") if d else None
        if published is None:
            return None
        if kind == "weekday":
            wd = WEEKDAYS[(g["w"] or "").lower()]
            return published - dt.timedelta(days=(published.weekday() - wd) % 7), "day"
        if kind == "rel":
            r = " ".join((g["r"] or "").lower().split())
            if r in {"today", "tonight"}:
                return published, "day"
            if r.endswith("weekend"):  # the Saturday before publication, about: the weekend's two days and reports a day off
                return published - dt.timedelta(days=(published.weekday() - 5) % 7 or 7), None
            if r.endswith("before yesterday"):
                return published - dt.timedelta(days=2), "day"
            if r in {"yesterday", "last night"}:
                return published - dt.timedelta(days=1), "day"
            if r in {"last week", "earlier this week"}:
                return published - dt.timedelta(days=7 if r == "last week" else 3), None
            if r in {"earlier this month", "this month"}:
                return published.replace(day=1), "month"
            if r == "last month":
                first = published.replace(day=1) - dt.timedelta(days=1)
                return first.replace(day=1), "month"
            return dt.date(published.year - 1, 1, 1), "year"
        if kind == "ago":
            n = (g["n"] or "").lower()
            count = int(n) if n.isdigit() else NUMBER_WORDS[n]
            if (g["u"] or "").lower().startswith("week"):
                return published - dt.timedelta(days=7 * count), None  # "a week ago": about then
            return published - dt.timedelta(days=count), "day"
        if kind == "month":
            month = MONTHS[(g["m"] or "").lower()]
            year = published.year if month <= published.month else published.year - 1
            return dt.date(year, month, 1), "month"
        if kind == "year":
            y = int(g["y"] or 0)
            return (dt.date(y, 1, 1), "year") if _valid_year(y) and y <= published.year else None
    except (ValueError, KeyError, OverflowError):
        return None
    return None  # pragma: no cover - every kind is handled above


def find_dates(text: str, published: dt.date | None = None) -> list[DateMention]:
    """Every resolvable date in ``text``; overlapping matches keep the longest, earliest first."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    present = {name for name, hint in _HINTS.items() if hint.found(text)}
    for kind, pattern in _PATTERNS:
        if not all(n in present for n in _NEEDS[kind]):
            continue
        for m in pattern.finditer(text):
            s, e = m.span()
            if kind == "month":
                s = m.start("m")
            if any(s < te and ts < e for ts, te in taken):
                continue
            resolved = _resolve(kind, m.groupdict(), published)
            taken.append((s, e))  # even when unresolvable, so "February 31 2020" is not re-read as "February 2020"
            if resolved is None:
                continue
            date, precision = resolved
            if published is not None and date > published and kind not in {"iso", "dmy", "mdy", "my", "num"}:
                continue
            deadline = bool(_DEADLINE.search(text[max(0, s - 12) : s]))
            found.append(DateMention(s, e, text[s:e], date, precision, deadline))
    found.sort(key=lambda d: d.start)
    return found
