"""Store behaviour on SQLite and PostgreSQL: dedup, provenance, upserts, history, errors, rollback."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tripwire.errors import NotFound, StoreError
from tripwire.model import RedLineStatus, should_alert
from tripwire.settings import Settings
from tripwire.store import Store

from . import factories as f

UTC = dt.timezone.utc


def test_same_article_twice_is_stored_once_with_both_locations(store: Store) -> None:
    doc = f.document(location="/feeds/a.xml")
    again = f.document(location="https://example.org/news/kirkuk", title="A different headline")
    assert store.add_document(doc) is True
    assert store.add_document(again) is False
    assert store.add_document(doc) is False
    assert store.count_documents() == 1
    assert store.get_document(doc.id) == doc  # the first copy wins
    assert store.document_locations(doc.id) == ["/feeds/a.xml", "https://example.org/news/kirkuk"]
    assert store.add_location(doc.id, "/archive/kirkuk.html") is True
    assert store.add_location(doc.id, "/archive/kirkuk.html") is False
    assert len(store.document_locations(doc.id)) == 3


def test_crlf_copy_of_an_article_is_a_duplicate(store: Store) -> None:
    doc = f.document("Line one of the report.\n\nLine two.")
    crlf = f.document("Line one of the report.  \r\n\r\n\r\nLine two.\r\n", location="/copy.txt")
    assert doc.id == crlf.id
    assert store.add_document(doc) and not store.add_document(crlf)


def test_list_and_count_documents_paginate(store: Store) -> None:
    docs = [f.document(f"Report number {i} about the base.", location=f"/r/{i}.txt") for i in range(5)]
    for d in docs:
        store.add_document(d)
    assert store.count_documents() == 5
    listed = store.list_documents(limit=3) + store.list_documents(limit=3, offset=3)
    assert sorted(d.id for d in listed) == sorted(d.id for d in docs)
    assert len(store.list_documents(limit=2, offset=4)) == 1


@pytest.mark.parametrize(
    ("method", "arg"),
    [("get_document", "0" * 64), ("get_extraction", "0" * 64), ("get_incident", "nope"), ("get_attribution", "nope"), ("document_locations", "0" * 64)],
)
def test_missing_ids_raise_not_found(store: Store, method: str, arg: str) -> None:
    with pytest.raises(NotFound, match="nope|0000"):
        getattr(store, method)(arg)


def test_extraction_is_replaced_per_document(store: Store) -> None:
    doc = f.document()
    store.add_document(doc)
    store.save_extraction(f.extraction(doc.id, version="1", redlines=(f.redline(),)))
    newer = f.extraction(doc.id, version="2", redlines=(f.redline(), f.redline("a US diplomat is harmed")))
    store.save_extraction(newer)
    assert store.get_extraction(doc.id) == newer
    assert [r.condition for r in store.list_redline_statements()] == ["an American is killed", "a US diplomat is harmed"]


def test_redline_statements_from_two_documents_are_deduplicated(store: Store) -> None:
    store.save_extraction(f.extraction("a" * 64, redlines=(f.redline(),)))
    store.save_extraction(f.extraction("b" * 64, redlines=(f.redline(), f.redline("an embassy is stormed"))))
    assert [r.condition for r in store.list_redline_statements()] == ["an American is killed", "an embassy is stormed"]


def test_incident_upsert_keeps_query_columns_and_claims_in_step(store: Store, db_url: str) -> None:
    store.save_incident(f.incident(killed=1))
    store.save_incident(f.incident(killed=2))
    assert store.count_incidents() == 1
    assert store.get_incident("2019-12-27-k1-rocket-attack").killed("US") == 2
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT killed, injured, country, lat FROM incidents")).one()
            claims = conn.execute(sa.text("SELECT actor, kind, sponsor, anonymous, speaker FROM claims ORDER BY position")).all()
            links = conn.execute(sa.text("SELECT count(*) FROM incident_documents")).scalar()
    finally:
        engine.dispose()
    assert tuple(row) == (2, 6, "IQ", 35.5)
    assert [tuple(c) for c in claims] == [("kataib-hezbollah", "alleged", "iran", True, "a defence official"), ("kataib-hezbollah", "denied", None, False, "kh-spokesman")]
    assert links == 2


def test_list_incidents_filters_by_date_and_country(store: Store) -> None:
    days = [dt.date(2019, 12, 27), dt.date(2020, 1, 3), dt.date(2020, 1, 8), None]
    for i, day in enumerate(days):
        inc = f.incident(f"inc-{i}", day=day or dt.date(2000, 1, 1), country="IR" if i == 2 else "IQ")
        store.save_incident(inc.model_copy(update={"date": day}))
    assert [i.id for i in store.list_incidents()] == ["inc-0", "inc-1", "inc-2", "inc-3"]  # undated last
    assert [i.id for i in store.list_incidents(since=dt.date(2020, 1, 1))] == ["inc-1", "inc-2"]
    assert [i.id for i in store.list_incidents(until=dt.date(2020, 1, 3))] == ["inc-0", "inc-1"]
    assert [i.id for i in store.list_incidents(country="ir")] == ["inc-2"]
    assert [i.id for i in store.list_incidents(limit=2, offset=1)] == ["inc-1", "inc-2"]


@pytest.mark.parametrize(("limit", "offset"), [(2, 0), (2, 2), (2, 3), (3, 4), (1, 5), (10, 0), (4, 6), (2, 9)])
def test_incident_pages_cross_from_dated_to_undated_without_gaps(store: Store, limit: int, offset: int) -> None:
    days = [dt.date(2020, 1, 3), None, dt.date(2019, 12, 27), None, dt.date(2020, 1, 8), None, dt.date(2020, 3, 11)]
    for i, day in enumerate(days):
        store.save_incident(f.incident(f"inc-{i}").model_copy(update={"date": day, "id": f"inc-{i}"}))
    everything = ["inc-2", "inc-0", "inc-4", "inc-6", "inc-1", "inc-3", "inc-5"]  # by date, then undated by id
    assert [i.id for i in store.list_incidents(limit=limit, offset=offset)] == everything[offset : offset + limit]


def test_actions_upsert_and_list_in_date_order(store: Store) -> None:
    store.save_action(f.action("b", dt.date(2020, 1, 3)))
    store.save_action(f.action("a", dt.date(2019, 12, 29)))
    store.save_action(f.action("b", dt.date(2020, 1, 2)))
    assert [(a.id, a.date) for a in store.list_actions()] == [("a", dt.date(2019, 12, 29)), ("b", dt.date(2020, 1, 2))]


def test_attribution_latest_wins_and_history_is_kept(store: Store) -> None:
    for p in (0.4, 0.7, 0.65):
        store.save_attribution(f.attribution("inc", p))
    store.save_attribution(f.attribution("other", 0.1))
    assert store.get_attribution("inc") == f.attribution("inc", 0.65)
    assert [r.posterior[0].probability for r in store.attribution_history("inc")] == [0.4, 0.7, 0.65]


def test_evaluations_are_append_only_with_previous_status(store: Store) -> None:
    t0 = dt.datetime(2020, 1, 1, tzinfo=UTC)
    steps = [("r1", "inc", RedLineStatus.CLEAR, 0.2), ("r1", "inc", RedLineStatus.WATCH, 0.4), ("r2", "inc", RedLineStatus.CLEAR, 0.1), ("r1", "inc", RedLineStatus.TRIPPED, 0.9)]
    recorded = [store.record_evaluation(f.evaluation(r, i, s, p, t0 + dt.timedelta(hours=n))) for n, (r, i, s, p) in enumerate(steps)]
    assert [r.previous_status for r in recorded] == [None, RedLineStatus.CLEAR, None, RedLineStatus.WATCH]
    history = store.evaluation_history(rule_id="r1", incident_id="inc")
    assert [e.status for e in history] == [RedLineStatus.CLEAR, RedLineStatus.WATCH, RedLineStatus.TRIPPED]
    assert history == [recorded[0], recorded[1], recorded[3]]
    assert len(store.evaluation_history()) == 4 and len(store.evaluation_history(incident_id="inc")) == 4
    assert [(e.rule_id, e.status) for e in store.latest_evaluations()] == [("r1", RedLineStatus.TRIPPED), ("r2", RedLineStatus.CLEAR)]
    # pages and true counts
    assert store.evaluation_history(limit=2, offset=1) == [recorded[1], recorded[2]] and store.count_evaluations() == 4
    assert store.count_evaluations(rule_id="r1") == 3 and store.count_evaluations(rule_id="r9") == 0
    assert [e.rule_id for e in store.latest_evaluations(limit=1, offset=1)] == ["r2"] and store.count_latest_evaluations() == 2


@pytest.mark.parametrize("batch", [1, 2, 5])
def test_evaluations_recorded_in_batches_equal_one_by_one(store: Store, batch: int) -> None:
    """A batch chains previous statuses through its own earlier members and writes each alert with the evaluation that raised it."""
    t0 = dt.datetime(2020, 1, 1, tzinfo=UTC)
    first = store.record_evaluation(f.evaluation("r1", "inc", RedLineStatus.CLEAR, 0.2, t0))
    steps = [("r1", "inc", RedLineStatus.WATCH, 0.4), ("r2", "inc", RedLineStatus.CLEAR, 0.1), ("r1", "inc", RedLineStatus.TRIPPED, 0.9),
             ("r1", "other", RedLineStatus.TRIPPED, 0.95), ("r1", "inc", RedLineStatus.TRIPPED, 0.92)]
    evs = [f.evaluation(r, i, s, p, t0 + dt.timedelta(hours=n + 1)) for n, (r, i, s, p) in enumerate(steps)]
    recorded = [e for start in range(0, len(evs), batch) for e in store.record_evaluations(evs[start : start + batch])]
    assert [r.previous_status for r in recorded] == [RedLineStatus.CLEAR, None, RedLineStatus.WATCH, None, RedLineStatus.TRIPPED]
    assert store.evaluation_history()[1:] == recorded
    raised = [e for e in (first, *recorded) if should_alert(e.previous_status, e.status)]
    assert [a.evaluation for a in store.pending_alerts()] == raised and len(raised) >= 3
    assert len({a.key for a in store.pending_alerts()}) == len(raised)


def test_record_evaluation_ignores_a_caller_supplied_previous_status(store: Store) -> None:
    ev = f.evaluation("r1", "inc", RedLineStatus.WATCH, 0.4, dt.datetime(2020, 1, 1, tzinfo=UTC)).model_copy(update={"previous_status": RedLineStatus.TRIPPED})
    assert store.record_evaluation(ev).previous_status is None


def test_sync_knowledge_mirrors_the_knowledge_base(store: Store, kb) -> None:  # type: ignore[no-untyped-def]
    store.sync_knowledge(kb)
    store.sync_knowledge(kb)  # replacing, not doubling
    counts = store.info().counts
    assert counts["actors"] == len(kb.actors)
    assert counts["outlets"] == len(kb.outlets)
    assert counts["speakers"] == len(kb.speakers)
    expected_links = sorted({(a.id, s.sponsor, s.relation, s.confidence) for a in kb.actors.values() for s in a.sponsors})
    assert store.sponsor_links() == expected_links and expected_links
    assert "iran" in store.resolve_alias("tehran")


@contextlib.contextmanager
def failing_inserts(store: Store, table: str) -> Iterator[None]:
    """Within the block, every INSERT into ``table`` fails as a full disk would (the database refuses the statement)."""
    def fail(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(f"INSERT INTO {table}"):
            raise sa.exc.OperationalError(statement, params, Exception("simulated disk failure"))

    event.listen(store._engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(store._engine, "before_cursor_execute", fail)


def test_failed_write_rolls_back_and_keeps_earlier_data(store: Store) -> None:
    original = f.incident(killed=1)
    store.save_incident(original)
    store.add_document(f.document())

    with failing_inserts(store, "CLAIMS"):
        with pytest.raises(StoreError, match="simulated disk failure"):
            store.save_incident(f.incident(killed=7))
        with pytest.raises(StoreError, match="save incident"):
            store.save_incident(f.incident("brand-new"))
    assert store.get_incident(original.id) == original
    assert store.count_incidents() == 1 and store.count_documents() == 1
    assert store.info().counts["claims"] == len(original.attributions)


def test_merged_events_are_saved_all_or_none(store: Store) -> None:
    original = f.incident(killed=1)
    store.save_incident(original)
    batch = [f.incident(killed=3), f.incident("2020-01-08-al-asad-missile-strike", day=dt.date(2020, 1, 8))]

    with failing_inserts(store, "ACTIONS"), pytest.raises(StoreError, match="save 2 incidents and 1 actions"):
        store.save_events(batch, [f.action()])
    assert store.get_incident(original.id) == original and store.count_incidents() == 1
    store.save_events(batch, [f.action()])
    assert [store.get_incident(i.id) for i in batch] == batch
    assert store.count_incidents() == 2 and store.info().counts["claims"] == sum(len(i.attributions) for i in batch)


def test_from_settings_uses_database_url(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with Store.from_settings(Settings({"database_url": url}, environ={})) as s:
        assert s.info().revision == s.info().head
    assert (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("sqlite:////definitely/missing/folder/t.db", "does not exist"),
        ("nosuchdb://host/x", "cannot open database"),
    ],
)
def test_bad_urls_give_store_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Store(url)


def test_unreachable_postgres_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="schema"):
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_sqlite_uses_wal_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store(f"sqlite:///{tmp_path / 'w.db'}") as s, s._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_long_descriptive_values_are_stored_the_same_on_both_backends(store: Store) -> None:
    """Query columns have widths PostgreSQL enforces and SQLite does not: they are cut on both; the payload stays whole."""
    from tripwire.model import Action, Document, Incident, Place

    doc = Document.from_text("Rockets struck the base on Monday.", location="https://example.org/a", outlet="Wire " * 80, media_type="text/" + "x" * 150)
    assert store.add_document(doc)
    assert store.get_document(doc.id) == doc
    incident = Incident(id="long-values", place=Place(name="Somewhere", country="IRAQ-KURDISTAN-REGION"), attack_type="rocket " * 30)
    store.save_incident(incident)
    assert store.get_incident("long-values") == incident
    action = Action(id="long-action", kind="retaliatory-strike-" * 5, actor="a" * 250)
    store.save_action(action)
    assert store.list_actions() == [action]


def test_ids_at_the_key_width_are_stored_and_longer_ones_refused_the_same_on_both_backends(store: Store) -> None:
    """PostgreSQL once refused an id over 200 characters at insert while SQLite stored it: the models now bound ids on both."""
    from pydantic import ValidationError

    from tripwire.model import HASH_CHARS, MAX_ID_CHARS, Action, Document, Incident

    longest = "2019-12-27-" + "k" * (MAX_ID_CHARS - 11)
    doc = f.document()
    assert store.add_document(doc)
    incident = f.incident(longest).model_copy(update={"documents": (doc.id,)})
    store.save_incident(incident)
    store.save_attribution(f.attribution(longest, 0.7))
    store.record_evaluation(f.evaluation("r" * MAX_ID_CHARS, longest, RedLineStatus.WATCH, 0.6, dt.datetime(2020, 1, 2, tzinfo=dt.UTC)))
    store.save_action(Action(id="a" * MAX_ID_CHARS, kind="protest"))
    assert store.get_incident(longest) == incident
    assert store.get_attribution(longest).incident_id == longest
    assert [(e.rule_id, e.incident_id, e.status) for e in store.evaluation_history()] == [("r" * MAX_ID_CHARS, longest, RedLineStatus.WATCH)]
    assert [(a.evaluation.rule_id, a.evaluation.incident_id) for a in store.list_alerts()] == [("r" * MAX_ID_CHARS, longest)]
    assert [a.id for a in store.list_actions()] == ["a" * MAX_ID_CHARS]
    before = store.info().counts

    too_long = longest + "x"
    refused = [
        lambda: Incident(id=too_long),
        lambda: Action(id=too_long, kind="protest"),
        lambda: f.attribution(too_long, 0.7),
        lambda: f.evaluation(too_long, longest, RedLineStatus.CLEAR, 0.1, dt.datetime(2020, 1, 2, tzinfo=dt.UTC)),
        lambda: f.evaluation("rule", too_long, RedLineStatus.CLEAR, 0.1, dt.datetime(2020, 1, 2, tzinfo=dt.UTC)),
        lambda: Incident(id="ok", documents=("d" * (HASH_CHARS + 1),)),
        lambda: Document(id="d" * (HASH_CHARS + 1), text="Rockets.", location="x"),
    ]
    for build in refused:
        with pytest.raises(ValidationError, match=r"at most (200|64) characters"):
            build()
    assert store.info().counts == before, "nothing reached the store"
