"""Incidents replaced by a later merge stay on record but leave listings; provisional actors are kept and counted.

Runs on SQLite and on a real PostgreSQL (see conftest.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tripwire.errors import NotFound
from tripwire.extract import extract_text
from tripwire.model import Incident, Place, ProvisionalActor
from tripwire.app.context import Context
from tripwire.app.jobs import merge_and_save, successors
from tripwire.settings import Settings
from tripwire.store import Store

ERBIL = Place(name="Erbil", country="IQ", gazetteer_id="erbil")


def _incident(iid: str, docs: tuple[str, ...], date: dt.date | None = None) -> Incident:
    return Incident(id=iid, date=date, place=ERBIL, attack_type="rocket attack", documents=docs)


def test_superseded_incident_is_kept_but_not_listed(store: Store) -> None:
    store.save_incident(_incident("undated-erbil-rocket-attack", ("d1",)))
    store.save_incident(_incident("2021-02-15-erbil-rocket-attack", ("d1", "d2"), dt.date(2021, 2, 15)))
    assert store.count_incidents() == 2
    assert store.supersede_incidents({"undated-erbil-rocket-attack": "2021-02-15-erbil-rocket-attack"}) == 1
    assert [i.id for i in store.list_incidents()] == ["2021-02-15-erbil-rocket-attack"]
    assert store.count_incidents() == 1
    assert store.get_incident("undated-erbil-rocket-attack").documents == ("d1",)  # history keeps it
    assert store.superseded_by("undated-erbil-rocket-attack") == "2021-02-15-erbil-rocket-attack"
    assert store.superseded_by("2021-02-15-erbil-rocket-attack") is None
    assert store.supersede_incidents({"undated-erbil-rocket-attack": "other"}) == 0  # already superseded: the pointer stays
    with pytest.raises(NotFound):
        store.superseded_by("no-such-incident")


def test_saving_an_incident_again_makes_it_live(store: Store) -> None:
    store.save_incident(_incident("a", ("d1",)))
    store.supersede_incidents({"a": "b"})
    store.save_incident(_incident("a", ("d1",)))
    assert store.superseded_by("a") is None and store.count_incidents() == 1


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({"undated-x": {"d1"}}, [("2021-x", ("d1", "d2"))], {"undated-x": "2021-x"}),
        ({"kept": {"d1"}}, [("kept", ("d1",))], {}),
        ({"acled-row": {"row-7"}}, [("2021-x", ("d1",))], {}),  # an imported row shares no document: left alone
        ({"old": {"d1", "d2"}}, [("a", ("d1",)), ("b", ("d1", "d2"))], {"old": "b"}),  # most shared documents wins
    ],
)
def test_successors_follow_shared_documents(before: dict[str, set[str]], after: list[tuple[str, tuple[str, ...]]], expected: dict[str, str]) -> None:
    incidents = [_incident(i, docs) for i, docs in after]
    assert successors(before, incidents) == expected


def test_a_dated_report_supersedes_the_undated_incident_in_the_store(store: Store, kb) -> None:  # type: ignore[no-untyped-def]
    undated = extract_text("Rockets hit Erbil International Airport, which hosts coalition troops, wounding two contractors.", published=dt.date(2021, 2, 16), document_id="d1", kb=kb)
    merged = merge_and_save(Context(Settings(), kb, store), [undated])
    (first,) = merged.incidents
    assert first.date is None
    dated = extract_text("The rocket attack on Erbil International Airport on Monday night wounded two contractors.", published=dt.date(2021, 2, 16), document_id="d2", kb=kb)
    merged = merge_and_save(Context(Settings(), kb, store), [undated, dated])
    (event,) = merged.incidents
    assert event.date == dt.date(2021, 2, 15) and set(event.documents) == {"d1", "d2"}
    assert [i.id for i in store.list_incidents()] == [event.id]
    assert store.superseded_by(first.id) == event.id


def test_provisional_actors_are_listed_with_their_incidents(store: Store, kb) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Two rockets struck Balad air base north of Baghdad on Tuesday, wounding two contractors. "
        "A previously unknown group calling itself the Companions of the Night Brigades claimed responsibility in a statement on Telegram."
    )
    ex = extract_text(text, published=dt.date(2021, 3, 2), document_id="d9", kb=kb)
    assert [p.name for p in ex.provisional_actors] == ["Companions of the Night Brigades"]
    store.sync_knowledge(kb)
    merge_and_save(Context(Settings(), kb, store), [ex])
    rows = store.unresolved_actors()
    assert rows == [{"id": "unresolved:companions-of-the-night-brigades", "name": "Companions of the Night Brigades", "incidents": 1}]
    store.sync_knowledge(kb)  # reloading the knowledge base keeps them
    assert [r["id"] for r in store.unresolved_actors()] == ["unresolved:companions-of-the-night-brigades"]
    store.save_provisional_actors([ProvisionalActor(id="unresolved:companions-of-the-night-brigades", name="Companions of the Night Brigades", documents=("d10",))])
    assert len(store.unresolved_actors()) == 1


def test_unresolved_command_lists_them(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tripwire.cli import app

    article = tmp_path / "claim.md"
    article.write_text(
        "---\ntitle: Rockets hit Balad\npublished: 2021-03-02\n---\n"
        "Two rockets struck Balad air base north of Baghdad on Tuesday, wounding two contractors. "
        "A previously unknown group calling itself the Companions of the Night Brigades claimed responsibility in a statement on Telegram.\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 't.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["brief", str(article), "--db", db, "--out", str(tmp_path / "r")]).exit_code == 0
    out = runner.invoke(app, ["unresolved", "--db", db, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert '"unresolved:companions-of-the-night-brigades"' in out.output and '"incidents": 1' in out.output
