"""The attribution context index finds what the flat scan found, in the same order; pattern_top_k cuts with one note."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tripwire.attribute import Attributor
from tripwire.attribute.context import ContextIndex
from tripwire.attribute.observations import similarity
from tripwire.model import Action, AttributionKind, AttributionStatement, Incident, Place, Source
from tripwire.app.context import Context
from tripwire.app.jobs import attribute_incidents
from tripwire.settings import Settings

from .cases import FRONT_CLAIM, GREEN_ZONE, KIRKUK, SOLEIMANI, US_STRIKES



def attribute_all(incidents, actions, kb, settings):
    """The application layer's attribution of a job's incidents (no store needed)."""
    return attribute_incidents(Context(settings, kb, store=None), incidents, actions)


SITES = [("Camp Taji", 33.53, 44.26), ("Balad Air Base", 33.94, 44.36), ("Erbil", 36.19, 44.01), ("Al Asad Air Base", 33.79, 42.44),
         ("Deir ez-Zor", 35.33, 40.14), ("Sanaa", 15.37, 44.19)]
WEAPONS = ["rockets", "107mm rockets", "a drone", "mortar rounds", None]
TRIGGERS = ["airstrike", "drone-strike", "assassination", "protest"]


def corpus(seed: int, n: int = 80) -> tuple[list[Incident], list[Action]]:
    """Incidents over two years at a few sites (some undated, some without a place) and actions around them."""
    rng = np.random.default_rng(seed)
    incidents, actions = [], []
    for k in range(n):
        name, lat, lon = SITES[int(rng.integers(len(SITES)))]
        place = None if rng.random() < 0.1 else Place(name=name, country="IQ", lat=lat + rng.normal(0, 0.05), lon=lon + rng.normal(0, 0.05))
        date = None if rng.random() < 0.1 else dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 730)))
        weapon = WEAPONS[int(rng.integers(len(WEAPONS)))]
        incidents.append(Incident(id=f"i{k:03d}", date=date, place=place, weapon=weapon, attack_type="rocket attack" if weapon else None,
                                  attributions=(AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED,
                                                                     asserted_by=Source(speaker_id="us-administration")),)))
    for k in range(n // 2):
        date = None if rng.random() < 0.1 else dt.date(2019, 1, 1) + dt.timedelta(days=int(rng.integers(0, 730)))
        actions.append(Action(id=f"a{k:03d}", kind=TRIGGERS[int(rng.integers(len(TRIGGERS)))], actor="usa", target="kataib-hezbollah", date=date))
    return incidents, actions


def flat_similar(att: Attributor, bc, incident: Incident, context: list) -> list[tuple[float, Incident]]:
    """The scan pattern_item ran over a flat context list before the index (the reference)."""
    t = att.tables.raw["pattern"]
    out = []
    for c in context:
        if not isinstance(c, Incident) or c.id == incident.id:
            continue
        if incident.date and c.date and c.date > incident.date:
            continue
        s = similarity(bc, incident, c)
        if s >= float(t["min_similarity"]):
            out.append((s, c))
    return out


@pytest.fixture(scope="module")
def att(kb) -> Attributor:
    return Attributor(kb, settings=Settings({"interval_draws": 0}, environ={}))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("undated_sees_dated", [True, False])
def test_similar_equals_the_flat_scan(att, seed, undated_sees_dated):
    incidents, actions = corpus(seed, n=50)
    index = att.context_index(incidents, actions, undated_sees_dated=undated_sees_dated)
    from tripwire.attribute.evidence import Params
    from tripwire.attribute.observations import BuildContext

    for inc in incidents:
        if inc.date is None and not undated_sees_dated:
            flat = [c for c in incidents if c.date is None]
        else:
            flat = list(incidents)
        bc = BuildContext(att.kb, att.tables, att.space(inc), {}, att.eps, Params({}, {}))
        got = index.similar(inc, att.tables.raw["pattern"], similarity, bc)
        want = flat_similar(att, bc, inc, flat)
        assert [(s, c.id) for s, c in got] == [(s, c.id) for s, c in want]


@pytest.mark.parametrize("seed", [0, 1])
def test_triggers_equal_the_flat_filter(att, seed):
    incidents, actions = corpus(seed)
    index = ContextIndex(att.kb, incidents, actions)
    kinds = ["airstrike", "drone-strike", "assassination"]
    for inc in incidents:
        if inc.date is None:
            continue
        want = [a for a in actions if a.kind in kinds and a.date is not None and 0 <= (inc.date - a.date).days <= 30]
        assert index.triggers(inc.date, 30, kinds) == want


@pytest.mark.parametrize("seed", [0, 3])
def test_attribute_all_equals_flat_contexts(kb, seed):
    """Posteriors and notes of the indexed job equal those of each incident attributed with its flat context list."""
    incidents, actions = corpus(seed, n=40)
    incidents += [GREEN_ZONE, KIRKUK, FRONT_CLAIM]
    actions += [US_STRIKES, SOLEIMANI]
    settings = Settings({"interval_draws": 50, "pattern_top_k": 0}, environ={})
    indexed = attribute_all(incidents, actions, kb, settings)
    att = Attributor(kb, settings=settings)
    far = dt.date.min
    for inc in incidents:
        when = inc.date or far
        flat = [i for i in incidents if i.id != inc.id and (i.date or far) <= when] + [a for a in actions if (a.date or far) <= when]
        want = att.attribute(inc, context=flat, rng=settings.seed)
        assert indexed[inc.id] == want


def cluster(n: int) -> list[Incident]:
    """``n`` rocket attacks on one base a week apart: every earlier one is similar to the last."""
    base = Place(name="Camp Taji", country="IQ", lat=33.53, lon=44.26)
    statement = AttributionStatement(actor="kataib-hezbollah", kind=AttributionKind.ALLEGED, asserted_by=Source(speaker_id="us-administration"))
    return [Incident(id=f"taji-{k:02d}", date=dt.date(2020, 1, 1) + dt.timedelta(days=7 * k), place=base, weapon="rockets",
                     attack_type="rocket attack", attributions=(statement,)) for k in range(n)]


def pattern_notes(result) -> tuple[str, ...]:
    return next(e.notes for e in result.evidence if e.kind == "pattern")


@pytest.mark.parametrize(("top_k", "kept", "summary"), [(0, 9, False), (9, 9, False), (50, 9, False), (4, 4, True), (1, 1, True)])
def test_pattern_top_k(kb, top_k, kept, summary):
    incidents = cluster(10)
    results = attribute_all(incidents, [], kb, Settings({"interval_draws": 0, "pattern_top_k": top_k}, environ={}))
    notes = pattern_notes(results["taji-09"])
    likes = [n for n in notes if n.startswith("like ")]
    assert len(likes) == kept
    assert likes[0].startswith("like taji-08 ")  # the most similar (nearest in time) first
    assert any("left out" in n and f"only the {top_k} most similar" in n and f"{9 - kept} more" in n for n in notes) is summary
    unlimited = attribute_all(incidents, [], kb, Settings({"interval_draws": 0, "pattern_top_k": 0}, environ={}))
    same = results["taji-09"].posterior == unlimited["taji-09"].posterior
    assert same is (kept == 9)


def test_default_top_k_changes_nothing_on_the_bundled_examples(kb, examples_dir):
    from tripwire.extract import extract, merge
    from tripwire.ingest import load_file

    docs = [d for p in sorted((examples_dir / "articles").iterdir()) for d in load_file(p)]
    merged = merge([extract(d, kb) for d in docs], kb)
    default = attribute_all(merged.incidents, merged.actions, kb, Settings({"interval_draws": 0}, environ={}))
    unlimited = attribute_all(merged.incidents, merged.actions, kb, Settings({"interval_draws": 0, "pattern_top_k": 0}, environ={}))
    assert default == unlimited and len(default) == len(merged.incidents) > 0
