from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.attribute import Attributor
from tripwire.model import AttributionKind, AttributionStatement, Incident, Source
from tripwire.settings import Settings

ACTORS = ["kataib-hezbollah", "isis", "iran-aligned-militia", "saraya-awliya-al-dam", "iran", "asaib-ahl-al-haq", "unknown", "irgc"]
SOURCES = [Source(speaker_id="us-administration"), Source(outlet_id="washington-post"), Source(speaker_id="iran-government"),
           Source(speaker_id="iraqi-intelligence", outlet_id="new-york-times"), Source(outlet="Rudaw", anonymous=True),
           Source(speaker="someone", via="Reuters")]
HEDGES = ["apparently", "reportedly", "not yet clear", "no proof", "murkily"]

statements = st.builds(
    AttributionStatement,
    actor=st.sampled_from(ACTORS),
    kind=st.sampled_from(list(AttributionKind)),
    hedges=st.lists(st.sampled_from(HEDGES), max_size=2).map(tuple),
    sponsor=st.sampled_from([None, "iran"]),
    relation=st.sampled_from([None, "supported", "ordered"]),
    asserted_by=st.sampled_from(SOURCES),
    comparative=st.sampled_from([None, "more likely than Kataib Hezbollah"]),
)
incidents = st.builds(Incident, id=st.just("p"), attributions=st.lists(statements, max_size=5).map(tuple),
                      weapon=st.sampled_from([None, "rockets", "IED", "107mm rocket", "drone"]))
FAST = Settings({"interval_draws": 0}, environ={})
SLOW_OK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def att(kb):
    return Attributor(kb, settings=FAST)


def _probs(result):
    return {e.hypothesis.key: e.probability for e in result.posterior}


@SLOW_OK
@given(incident=incidents)
def test_posterior_is_a_distribution(att, incident):
    r = att.attribute(incident)
    p = np.array([e.probability for e in r.posterior])
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0, abs=1e-9)
    assert all(np.isfinite(v) for c in r.evidence for v in c.log_lr.values())


@SLOW_OK
@given(incident=incidents, seed=st.integers(0, 2**16))
def test_evidence_order_does_not_matter(att, incident, seed):
    order = np.random.default_rng(seed).permutation(len(incident.attributions))
    shuffled = incident.model_copy(update={"attributions": tuple(incident.attributions[i] for i in order)})
    a, b = _probs(att.attribute(incident)), _probs(att.attribute(shuffled))
    assert a.keys() == b.keys()
    assert all(a[k] == pytest.approx(b[k], abs=1e-12) for k in a)


@SLOW_OK
@given(incident=incidents)
def test_uninformative_item_changes_nothing(att, incident):
    # a statement that names nobody (LR 1 for every hypothesis)
    noise = AttributionStatement(actor="unknown", kind=AttributionKind.DISPUTED, hedges=("not yet clear",), asserted_by=SOURCES[1])
    if noise in incident.attributions:
        return
    more = incident.model_copy(update={"attributions": incident.attributions + (noise,)})
    a, b = _probs(att.attribute(incident)), _probs(att.attribute(more))
    assert all(a[k] == pytest.approx(b[k], abs=1e-12) for k in a)
