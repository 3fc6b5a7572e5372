"""The chain built from the real extractor's reading of the seed story (published 2020-11-18)."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

import tripwire.extract as extract
from tripwire.escalate.chains import build_chain

if not hasattr(extract, "extract_text"):
    pytest.skip("tripwire.extract.extract_text not present yet", allow_module_level=True)


def _mentions(event, *words) -> bool:
    parts = [event.id, event.summary, getattr(event, "target", None), event.place.name if event.place else None]
    text = " ".join(p for p in parts if p).lower()
    return any(w in text for w in words)


def test_seed_story_chain_runs_from_kirkuk_to_soleimani(seed_text, kb):
    ex = extract.extract_text(seed_text, published=dt.date(2020, 11, 18), kb=kb)
    chain = build_chain(ex.incidents, ex.actions, kb=kb)
    kirkuk = [i for i in ex.incidents if _mentions(i, "kirkuk", "k1")]
    soleimani = [a for a in ex.actions if _mentions(a, "soleimani") or a.kind in ("assassination", "drone-strike")]
    strikes = {a.id for a in ex.actions if a.kind == "airstrike"}
    assert kirkuk and soleimani and strikes
    votes = {a.id for a in ex.actions if a.kind == "parliamentary-vote"}
    protests = {a.id for a in ex.actions if a.kind == "protest"}
    g = chain.graph
    # Kirkuk -> US airstrikes on Kataib Hezbollah -> embassy protests -> Soleimani strike -> parliament vote
    for k in kirkuk:
        for s in soleimani:
            assert chain.path(k.id, s.id), "no path from the Kirkuk attack to the strike on Soleimani"
            assert any(nx.has_path(g, k.id, a) and nx.has_path(g, a, p) and nx.has_path(g, p, s.id) for a in strikes for p in protests)
            assert any(nx.has_path(g, s.id, v) for v in votes)
    stated = [e for e in chain.edges if e.kind == "textual"]
    assert len(stated) >= 4 and all(e.evidence_text for e in stated)
