"""Action-reaction chains on the 2019-2020 Iraq escalation, plus export round-trips and the timeline picture."""

from __future__ import annotations

import datetime as dt
import json
import math
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tripwire.errors import InputError, UnsupportedFormat
from tripwire.escalate.chain_plot import plot_chain
from tripwire.escalate.chains import ChainConfig, EscalationChain, build_chain, event_actors, event_target
from tests.escalate.chain_facts import winter_2019_2020
from tripwire.model import Action, Incident

KIRKUK = "2019-12-27-k1-rocket-attack"
STRIKES = "2019-12-29-us-strikes-kh"
EMBASSY = "2019-12-31-embassy-storming"
SOLEIMANI = "2020-01-03-soleimani-strike"
VOTE = "2020-01-05-parliament-vote"
AL_ASAD = "2020-01-08-al-asad-missile-strike"
BALAD = "2020-01-12-balad-rocket-attack"


@pytest.fixture(scope="module")
def chain(kb) -> EscalationChain:
    incidents, actions = winter_2019_2020()
    return build_chain(incidents, actions, kb=kb)


def edge(chain: EscalationChain, source: str, target: str):
    return next((e for e in chain.edges if (e.source, e.target) == (source, target)), None)


def test_textual_path_from_kirkuk_to_the_vote(chain):
    assert chain.path(KIRKUK, VOTE) == [KIRKUK, STRIKES, EMBASSY, SOLEIMANI, VOTE]
    for a, b in [(KIRKUK, STRIKES), (STRIKES, EMBASSY), (EMBASSY, SOLEIMANI), (SOLEIMANI, VOTE)]:
        e = edge(chain, a, b)
        assert e is not None and e.kind == "textual" and e.weight == 1.0
    assert chain.roots()[0] == KIRKUK


@pytest.mark.parametrize(
    ("source", "target", "lag"),
    [
        (SOLEIMANI, AL_ASAD, 5.0),  # usa -> quds-force, then irgc -> usa: both sides are Iran
        (SOLEIMANI, BALAD, 9.0),  # an Iran-aligned militia answers too
        (KIRKUK, SOLEIMANI, 7.0),  # the attack was pinned on an Iranian proxy
    ],
)
def test_temporal_reactions_decay_with_lag(chain, source, target, lag):
    e = edge(chain, source, target)
    assert e is not None and e.kind == "temporal"
    assert e.lag_days == lag
    assert e.weight == pytest.approx(0.5 ** (lag / 3.0), abs=1e-6)
    assert "acted against" in e.evidence_text


def test_stated_links_that_also_fit_the_timing_rule_are_marked(chain):
    e = edge(chain, KIRKUK, STRIKES)
    assert e.also_temporal  # kataib-hezbollah alleged -> usa hits kataib-hezbollah two days later
    assert "Kirkuk" in e.evidence_text and e.evidence_document == "doc-escalation-notes" and e.evidence_start == 100


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (SOLEIMANI, VOTE),  # Iraq is not Iran's side: only the text links these
        (AL_ASAD, BALAD),  # two attacks on the same side do not answer each other
        (STRIKES, SOLEIMANI),  # usa does not react to its own action
    ],
)
def test_no_temporal_edge_without_opposed_actors(chain, source, target):
    e = edge(chain, source, target)
    assert e is None or e.kind == "textual"


def test_window_and_strongest_path(kb):
    incidents, actions = winter_2019_2020()
    narrow = build_chain(incidents, actions, window_days=6, kb=kb)
    assert edge(narrow, SOLEIMANI, BALAD) is None and edge(narrow, SOLEIMANI, AL_ASAD) is not None
    wide = build_chain(incidents, actions, window_days=30, kb=kb)
    # the strongest route from the Kirkuk attack to Al Asad runs through the stated chain, not the 12-day timing jump
    assert wide.path(KIRKUK, AL_ASAD) == [KIRKUK, STRIKES, EMBASSY, SOLEIMANI, AL_ASAD]
    assert wide.path(AL_ASAD, KIRKUK) == []


def test_actor_and_target_inference(kb):
    incidents, actions = winter_2019_2020()
    kirkuk = incidents[0]
    assert event_actors(kirkuk, kb) == ("kataib-hezbollah", "isis")  # each named once: text order
    assert event_target(kirkuk, kb) == "usa"
    assert event_target(actions[1], kb) == "usa"  # "US embassy"


def test_coarse_dates_take_no_part_in_timing_links(kb):
    incidents, actions = winter_2019_2020()
    coarse = incidents[0].model_copy(update={"date": dt.date(2019, 12, 1), "date_precision": "month"})
    chain = build_chain([coarse, *incidents[1:]], actions, kb=kb)
    assert chain.node(KIRKUK).date_precision == "month"
    assert edge(chain, KIRKUK, SOLEIMANI) is None  # was a timing link with the exact date
    e = edge(chain, KIRKUK, STRIKES)
    assert e.kind == "textual" and not e.also_temporal and e.lag_days == 28.0


def test_unresolved_causes_and_bad_input(kb):
    orphan = Action(id="a1", kind="protest", actor="pmf", date=dt.date(2020, 1, 1), caused_by=("missing-event",))
    chain = build_chain([], [orphan], kb=kb)
    assert chain.unresolved == (("a1", "missing-event"),) and chain.edges == ()
    with pytest.raises(InputError, match="twice"):
        build_chain([Incident(id="x")], [Action(id="x", kind="other")], kb=kb)
    with pytest.raises(InputError):
        build_chain([], [], window_days=-1, kb=kb)
    with pytest.raises(InputError, match="no event"):
        chain.path("a1", "nope")


def test_json_round_trip_and_graphml_and_dot(chain, tmp_path):
    data = json.loads(chain.to_json())
    assert {"nodes", "links", "directed"} <= set(data)
    back = EscalationChain.from_node_link(data)
    assert back == chain
    assert nx.is_isomorphic(back.graph, chain.graph)

    graphml = chain.to_graphml()
    parsed = nx.parse_graphml(graphml)
    assert set(parsed.nodes) == {n.id for n in chain.nodes}
    assert parsed.edges[KIRKUK, STRIKES]["kind"] == "textual"
    ET.fromstring(graphml)  # well-formed XML

    dot = chain.to_dot()
    assert dot.startswith("digraph escalation {") and dot.rstrip().endswith("}")
    assert f'"{SOLEIMANI}" -> "{AL_ASAD}" [style=dashed' in dot
    for fmt in ("json", "graphml", "dot"):
        assert chain.write(tmp_path, fmt).read_text(encoding="utf-8")
    with pytest.raises(UnsupportedFormat):
        chain.write(tmp_path, "svg")
    with pytest.raises(InputError):
        EscalationChain.from_node_link({"nodes": [{"id": "a"}]})


_ids = st.text(alphabet="abcdefghij-\"\\ <>&", min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(
    ids=st.lists(_ids, min_size=1, max_size=6, unique=True),
    days=st.lists(st.one_of(st.none(), st.integers(0, 40)), min_size=6, max_size=6),
    links=st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=6),
)
def test_round_trips_hold_for_arbitrary_chains(kb, ids, days, links):
    actors = ["usa", "kataib-hezbollah", "irgc", "pmf"]
    actions = []
    for i, ident in enumerate(ids):
        causes = tuple(ids[b % len(ids)] for a, b in links if a % len(ids) == i and b % len(ids) != i)
        date = dt.date(2020, 1, 1) + dt.timedelta(days=days[i]) if days[i] is not None else None
        actions.append(Action(id=ident, kind="other", actor=actors[i % 4], target=actors[(i + 1) % 4], date=date, caused_by=causes))
    chain = build_chain([], actions, kb=kb)
    assert EscalationChain.from_node_link(json.loads(chain.to_json())) == chain
    assert set(nx.parse_graphml(chain.to_graphml()).edges) == {(e.source, e.target) for e in chain.edges}
    for e in chain.edges:
        assert 0 < e.weight <= 1 and (e.kind == "textual" or not math.isnan(e.lag_days))


def test_timeline_png(chain, tmp_path):
    out = plot_chain(chain, tmp_path / "fig" / "chain.png")
    head = out.read_bytes()[:8]
    assert head == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    with pytest.raises(InputError):
        plot_chain(build_chain([Incident(id="undated")], [], kb=None), tmp_path / "x.png")


def test_config_validation():
    with pytest.raises(InputError):
        ChainConfig(half_life_days=0)
    assert ChainConfig(half_life_days=2).decay(4) == pytest.approx(0.25)
