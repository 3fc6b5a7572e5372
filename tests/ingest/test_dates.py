"""Publication dates: accepted forms become aware UTC; nonsense is a DateError."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tripwire.errors import DateError
from tripwire.ingest.dates import parse_date

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2020-11-18", "UTC", dt.datetime(2020, 11, 18, tzinfo=UTC)),
        ("2020-01-03T01:20:00Z", "UTC", dt.datetime(2020, 1, 3, 1, 20, tzinfo=UTC)),
        ("2020-01-03 01:20+03:00", "UTC", dt.datetime(2020, 1, 2, 22, 20, tzinfo=UTC)),
        ("2020-01-03T01:20:00.5-0500", "UTC", dt.datetime(2020, 1, 3, 6, 20, 0, 500000, tzinfo=UTC)),
        ("Fri, 03 Jan 2020 01:20:00 GMT", "UTC", dt.datetime(2020, 1, 3, 1, 20, tzinfo=UTC)),
        ("Wed, 08 Jan 2020 18:00:00 +0300", "UTC", dt.datetime(2020, 1, 8, 15, 0, tzinfo=UTC)),
        ("3 January 2020", "UTC", dt.datetime(2020, 1, 3, tzinfo=UTC)),
        ("January 3rd, 2020", "UTC", dt.datetime(2020, 1, 3, tzinfo=UTC)),
        ("2020/01/03", "UTC", dt.datetime(2020, 1, 3, tzinfo=UTC)),
        ("2020-01-03", "Asia/Baghdad", dt.datetime(2020, 1, 2, 21, 0, tzinfo=UTC)),
        ("2020-01-03T12:00", "America/New_York", dt.datetime(2020, 1, 3, 17, 0, tzinfo=UTC)),
    ],
)
def test_accepted_dates(text: str, tz: str, expected: dt.datetime) -> None:
    got = parse_date(text, default_timezone=tz)
    assert got == expected and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-13-45", "month must be in 1..12"),
        ("2019-02-30", "day is out of range"),
        ("40000-01-01", "year 40000"),
        ("in the year 40000", "absurd year"),
        ("1066-10-14", "outside 1900..2100"),
        ("2020-01-03T01:20+25:00", "impossible UTC offset"),
        ("yesterday-ish", "unrecognised date"),
        ("", "empty date"),
    ],
)
def test_nonsense_dates_raise(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(text)


def test_python_values_and_struct_time() -> None:
    assert parse_date(dt.date(2020, 1, 3)) == dt.datetime(2020, 1, 3, tzinfo=UTC)
    assert parse_date(time.struct_time((2020, 1, 3, 1, 20, 0, 4, 3, 0))) == dt.datetime(2020, 1, 3, 1, 20, tzinfo=UTC)
    with pytest.raises(DateError, match="unknown time zone"):
        parse_date("2020-01-03", default_timezone="Mars/Olympus")


@given(st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2099, 12, 31), timezones=st.just(UTC) | st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))))
def test_iso_output_parses_back_to_the_same_instant(value: dt.datetime) -> None:
    assert parse_date(value.isoformat()) == value
