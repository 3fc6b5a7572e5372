"""Publication dates: parsed to aware UTC datetimes, nonsense refused with :class:`~tripwire.errors.DateError`.

Accepted forms: ISO 8601 (``2020-01-03``, ``2020-01-03T01:20:00Z``,
``2020-01-03 01:20+03:00``), RFC 2822 as used by RSS (``Fri, 03 Jan 2020
01:20:00 GMT``), ``3 January 2020``, ``January 3, 2020``, ``2020/01/03``,
Python ``date``/``datetime`` and ``time.struct_time`` (UTC, as feedparser gives).
Values without a time zone are taken in ``default_timezone`` (a setting, UTC by
default). Years outside 1900..2100 are refused as nonsense.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import DateError

MIN_YEAR = 1900
MAX_YEAR = 2100

_ISO = re.compile(
    r"^\s*(?P<y>[+-]?\d{4,})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[Tt ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"\s*(?P<tz>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
_FORMATS = ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%Y/%m/%d", "%d %B %Y %H:%M", "%B %d, %Y %H:%M")


def _zone(name: str) -> dt.tzinfo:
    if name.upper() == "UTC":
        return dt.timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DateError(f"unknown time zone {name!r} (setting default_timezone)") from None


def _checked_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(f"date {text!r} has year {year}, outside {MIN_YEAR}..{MAX_YEAR}")


def _finish(value: dt.datetime, default_tz: str, text: str) -> dt.datetime:
    _checked_year(value.year, text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_zone(default_tz))
    return value.astimezone(dt.timezone.utc)


def _from_iso(match: re.Match[str], text: str, default_tz: str) -> dt.datetime:
    g = match.groupdict()
    year = int(g["y"])
    _checked_year(year, text)
    tz: dt.tzinfo | None = None
    if g["tz"]:
        raw = g["tz"].upper()
        if raw in ("Z", "UTC", "GMT"):
            tz = dt.timezone.utc
        else:
            sign = -1 if raw[0] == "-" else 1
            digits = raw[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
            if hours > 23 or minutes > 59:
                raise DateError(f"date {text!r} has an impossible UTC offset")
            tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    micro = int((g["f"] or "0")[:6].ljust(6, "0"))
    try:
        value = dt.datetime(year, int(g["m"]), int(g["d"]), int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0), micro, tzinfo=tz)
    except ValueError as exc:
        raise DateError(f"date {text!r} is impossible: {exc}") from None
    return _finish(value, default_tz, text)


def parse_date(value: object, *, default_timezone: str = "UTC") -> dt.datetime:
    """``value`` as an aware UTC datetime; DateError when it is nonsense or unrecognised."""
    if isinstance(value, dt.datetime):
        return _finish(value, default_timezone, value.isoformat())
    if isinstance(value, dt.date):
        return _finish(dt.datetime(value.year, value.month, value.day), default_timezone, value.isoformat())
    if isinstance(value, time.struct_time):
        try:
            return _finish(dt.datetime(*value[:6], tzinfo=dt.timezone.utc), default_timezone, time.strftime("%Y-%m-%d %H:%M:%S", value))
        except (ValueError, OverflowError) as exc:
            raise DateError(f"date {tuple(value[:6])} is impossible: {exc}") from None
    if not isinstance(value, str):
        raise DateError(f"not a date: {value!r}")
    text = value.strip()
    if not text:
        raise DateError("empty date")
    match = _ISO.match(text)
    if match:
        return _from_iso(match, text, default_timezone)
    if re.search(r"\d{5,}", text):
        raise DateError(f"date {text!r} has an absurd year")
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is not None:
        return _finish(parsed, default_timezone, text)
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    for fmt in _FORMATS:
        try:
            return _finish(dt.datetime.strptime(cleaned, fmt), default_timezone, text)
        except ValueError:
            continue
    raise DateError(f"unrecognised date {text!r} (use ISO 8601, e.g. 2020-01-03 or 2020-01-03T01:20:00Z)")
