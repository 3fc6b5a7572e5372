"""End to end on the seed story: extract, attribute, check the bundled rules, write the report."""

from __future__ import annotations

import datetime as dt

import pytest
from markupsafe import escape as html_escape

import tripwire.extract as extract
import tripwire.attribute as attribute
from tripwire.model import RedLineStatus
from tripwire.redlines import check, load_rules
from tripwire.report import write_html_report

from .scenarios import NOW

SEED = "us-american-killed-iran-instructed"


def test_seed_story_green_zone_clear_and_kirkuk_on_watch(seed_text, kb, tmp_path):
    ex = extract.extract_text(seed_text, published=dt.date(2020, 11, 18), kb=kb)
    by_place = {i.place.name: i for i in ex.incidents if i.place is not None}
    assert {"Green Zone", "Kirkuk"} <= set(by_place)
    engine = attribute.Attributor(kb)
    context = [*ex.incidents, *ex.actions]
    results = {i.id: engine.attribute(i, context=[c for c in context if c.id != i.id], rng=20200105) for i in ex.incidents}
    evs = {(e.rule_id, e.incident_id): e for e in check(load_rules(kb=kb), ex.incidents, results, now=NOW)}

    green = evs[(SEED, by_place["Green Zone"].id)]
    assert green.status is RedLineStatus.CLEAR and green.probability == 0.0
    assert green.evidence[0].startswith("no reported casualty meets >=1 killed, nationality US")

    kirkuk = evs[(SEED, by_place["Kirkuk"].id)]
    assert kirkuk.status is RedLineStatus.WATCH
    assert kirkuk.components["casualties"] == pytest.approx(0.95)
    assert 0.0 < kirkuk.components["attribution"] < 0.5
    assert "reported: 1 killed (US, contractor)" in kirkuk.evidence

    path = write_html_report(tmp_path, incidents=ex.incidents, results=results, evaluations=list(evs.values()), actions=ex.actions, redlines=ex.redlines, rules=load_rules(kb=kb), kb=kb)
    html = path.read_text(encoding="utf-8")
    assert f"{kirkuk.probability:.2f}" in html and "Red-line statements found in text" in html
    assert ex.redlines and all(html_escape(s.condition) in html for s in ex.redlines)
