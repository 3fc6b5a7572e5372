"""Merging by date index: the same groups as comparing every report with every group, and undated reports only near their publication."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tripwire.extract import merge
from tripwire.extract.date_index import DateIndex, span
from tripwire.extract.events import date_values_compatible
from tripwire.extract.extractor import extract_text
from tripwire.extract.lexicon import lexicon_for
from tripwire.extract.merge import UNDATED_REACH_DAYS, _cluster, _combine_incidents, _incident_fits, _incident_reach
from tripwire.model import Incident, Place

PRECISIONS = st.sampled_from(["day", "month", "year", None])
DATES = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2025, 12, 31))


@given(a=DATES, pa=PRECISIONS, b=DATES, pb=PRECISIONS)
@example(a=dt.date(2017, 1, 1), pa="year", b=dt.date(2016, 1, 1), pb=None)  # "about" early January fits the year before or after
@example(a=dt.date(2016, 12, 31), pa=None, b=dt.date(2015, 6, 1), pb="year")
@example(a=dt.date(2020, 2, 1), pa=None, b=dt.date(2020, 1, 24), pb="day")
@settings(max_examples=4000, deadline=None)
def test_every_compatible_date_is_a_candidate(a: dt.date, pa: str | None, b: dt.date, pb: str | None) -> None:
    index = DateIndex()
    index.add(7, b, pb)
    found = 7 in index.candidates(a, pa)
    if date_values_compatible(b, pb, a, pa):
        assert found, (a, pa, b, pb)


@given(d=DATES, p=PRECISIONS, lo=DATES, days=st.integers(0, 400))
def test_between_finds_the_spans_that_meet_a_range(d: dt.date, p: str | None, lo: dt.date, days: int) -> None:
    hi = lo + dt.timedelta(days=days)
    index = DateIndex()
    index.add(1, d, p)
    first, last = span(d, p)
    assert (1 in index.between(lo, hi)) == (first <= hi and last >= lo)


def test_a_refiled_group_is_found_only_where_it_now_is() -> None:
    index = DateIndex()
    index.add(0, dt.date(2020, 1, 8), "month")
    index.add(0, dt.date(2020, 1, 8), "day")
    assert index.candidates(dt.date(2020, 1, 25), "day") == set()
    assert index.candidates(dt.date(2020, 1, 9), "day") == {0}
    index.remove(0)
    index.add(1, None, None)
    assert index.candidates(dt.date(2020, 1, 9), "day") == {1} and index.candidates(dt.date(2020, 1, 9), "day", undated=False) == set()
    assert len(index) == 1


def _full_scan(items, fits, combine):  # type: ignore[no-untyped-def]
    """The clustering rule without an index: every dated item compared with every group."""
    groups: list[Incident] = []
    group_of: dict[str, int] = {}
    for item, published in items:
        candidates = [gi for gi, g in enumerate(groups) if fits(g, item, published)]
        if candidates:
            gi = max(candidates, key=lambda gi: (groups[gi].date or dt.date.min, -gi))
            groups[gi] = combine(groups[gi], item)
        else:
            groups.append(item)
            gi = len(groups) - 1
        group_of[item.id] = gi
    return groups, group_of


@pytest.mark.parametrize("seed", range(4))
def test_indexed_clustering_gives_the_groups_of_a_full_scan(kb, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Hundreds of dated reports of attacks at a few nearby places, at every date precision: the same groups either way."""
    rng = random.Random(seed)
    lex = lexicon_for(kb)
    sites = [p for p in sorted(kb.places.values(), key=lambda p: p.id) if p.country == "IQ" and p.lat is not None][:12]
    kinds = ["rocket attack", "drone attack", "attack", "bombing"]
    items = []
    for n in range(400):
        site = rng.choice(sites)
        date = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 900))
        precision = rng.choices(["day", "month", "year", None], weights=[8, 2, 1, 1])[0]
        place = Place(name=site.name, country=site.country, lat=site.lat, lon=site.lon, gazetteer_id=site.id)
        incident = Incident(id=f"i{n:04d}", date=date, date_precision=precision, place=place if rng.random() > 0.1 else None,
                            attack_type=rng.choice(kinds), documents=(f"{n:064x}",))
        items.append((incident, date + dt.timedelta(days=rng.randrange(0, 3))))
    items.sort(key=lambda p: (p[0].date, p[0].id))
    fits = lambda g, i, pub: _incident_fits(lex, g, i, pub)  # noqa: E731
    combine = lambda g, i: _combine_incidents(lex, g, i)  # noqa: E731
    indexed = _cluster(items, fits, combine, _incident_reach)
    assert indexed == _full_scan(items, fits, combine)
    assert 20 < len(indexed[0]) < 400  # the case merges some reports and keeps others apart


@pytest.mark.parametrize(("days_after", "joins"), [(2, True), (UNDATED_REACH_DAYS - 5, True), (UNDATED_REACH_DAYS + 30, False)])
def test_an_undated_report_joins_only_a_recent_event(kb, days_after: int, joins: bool) -> None:  # type: ignore[no-untyped-def]
    event = dt.date(2021, 3, 3)
    dated = extract_text("Rockets hit Al Asad air base in western Iraq on Wednesday, March 3, 2021.", published=event, document_id="d0", kb=kb)
    undated = extract_text("Rockets hit Al Asad air base in western Iraq, officials said.", published=event + dt.timedelta(days=days_after),
                           document_id="d1", kb=kb)
    assert dated.incidents[0].date == event and undated.incidents[0].date is None
    incidents = merge([dated, undated], kb).incidents
    assert len(incidents) == (1 if joins else 2)
