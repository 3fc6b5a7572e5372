"""Listing totals from trigger-kept counters (and filtered ones cached per table version) stay true counts after every kind of write, on both backends."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import event

from tripwire.model import Action, Incident, Place
from tripwire.store import Store
from tripwire.store.engine import make_engine

from .factories import incident


def _incident(i: int, country: str = "IQ", date: dt.date | None = dt.date(2020, 1, 1)) -> Incident:
    base = incident()
    place = Place(name="Camp Taji" if country == "IQ" else "Abu Kamal", country=country, lat=33.5 if country == "IQ" else 34.45, lon=44.25 if country == "IQ" else 40.92)
    return base.model_copy(update={"id": f"count-{i:03d}-{country.lower()}", "date": date, "place": place})


def _true_count(url: str, where: str = "superseded_by IS NULL", table: str = "incidents") -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement.lower())

    event.listen(store._engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store._engine, "before_cursor_execute", record)


def _counters(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {name: int(live) for name, live in conn.execute(sa.text("SELECT name, live_rows FROM table_counters"))}
    finally:
        engine.dispose()


def _assert_counters_true(url: str) -> None:
    assert _counters(url) == {"incidents": _true_count(url), "actions": _true_count(url, "1 = 1", "actions")}


def test_the_total_reads_the_counter_not_the_table(store: Store) -> None:
    for i in range(3):
        store.save_incident(_incident(i))
    with _statements(store) as seen:
        assert store.count_incidents() == 3
    assert seen and not any("count(" in s for s in seen), seen
    assert any("table_counters" in s for s in seen)


def test_a_repeated_filtered_count_reads_the_version_not_the_table(store: Store) -> None:
    for i in range(3):
        store.save_incident(_incident(i))
    assert store.count_incidents(country="IQ") == 3
    with _statements(store) as seen:
        assert store.count_incidents(country="IQ") == 3
    assert seen and not any("count(" in s for s in seen), seen
    store.save_incident(_incident(4, "SY"))
    with _statements(store) as seen:
        assert store.count_incidents(country="IQ") == 3 and store.count_incidents(country="SY") == 1
    assert any("incident_day_counts" in s for s in seen)  # the version moved: summed again from the day counts,
    assert not any("count(" in s for s in seen), seen  # not counted over the incidents


def test_the_cached_count_follows_writes_through_this_store(store: Store) -> None:
    assert store.count_incidents() == 0
    store.save_incident(_incident(1))
    assert store.count_incidents() == 1
    store.save_incident(_incident(1).model_copy(update={"summary": "replaced"}))  # an update, not a new row
    assert store.count_incidents() == 1
    store.save_incident(_incident(2))
    assert store.count_incidents() == 2
    assert store.supersede_incidents({_incident(1).id: _incident(2).id}) == 1
    assert store.count_incidents() == 1 == _true_count(store.url)
    assert store.supersede_incidents({_incident(1).id: _incident(2).id}) == 0  # already superseded: nothing changes
    store.save_incident(_incident(1))  # stored again as a live incident (the upsert clears superseded_by)
    assert store.count_incidents() == 2 == _true_count(store.url)
    _assert_counters_true(store.url)


def test_a_write_through_a_second_store_is_seen(db_url: str) -> None:
    with Store(db_url) as reader, Store(db_url) as writer:
        writer.save_incident(_incident(1))
        assert reader.count_incidents() == 1
        assert reader.count_incidents(country="SY") == 0
        misses = reader.counts.misses
        assert reader.count_incidents(country="SY") == 0 and reader.counts.misses == misses  # cached now
        writer.save_incident(_incident(2, "SY"))
        assert reader.count_incidents() == 2 and reader.counts.misses == misses  # the counter row, no count
        assert reader.count_incidents(country="SY") == 1 and reader.counts.misses == misses + 1
        writer.supersede_incidents({_incident(2, "SY").id: _incident(1).id})
        assert reader.count_incidents(country="SY") == 0 and reader.count_incidents() == 1
        writer.save_action(Action(id="count-action-1", kind="airstrike", actor="usa", date=dt.date(2020, 1, 2)))
        assert reader.count_actions() == 1
        writer.save_action(Action(id="count-action-2", kind="airstrike", actor="usa", date=dt.date(2020, 1, 3)))
        assert reader.count_actions() == 2 == _true_count(db_url, "1 = 1", "actions")
        writer.add_dataset_rows([])
    _assert_counters_true(db_url)


def test_plain_sql_from_another_connection_is_seen(store: Store) -> None:
    for i in range(4):
        store.save_incident(_incident(i))
    assert store.count_incidents() == 4
    engine = make_engine(store.url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM claims WHERE incident_id = :i"), {"i": _incident(0).id})
            conn.execute(sa.text("DELETE FROM incident_documents WHERE incident_id = :i"), {"i": _incident(0).id})
            conn.execute(sa.text("DELETE FROM incidents WHERE id = :i"), {"i": _incident(0).id})
        assert store.count_incidents() == 3
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE incidents SET country = 'SY' WHERE id = :i"), {"i": _incident(1).id})
        assert store.count_incidents(country="SY") == 1 and store.count_incidents(country="IQ") == 2
        with engine.begin() as conn:  # superseded and back, then a plain INSERT of a superseded row
            conn.execute(sa.text("UPDATE incidents SET superseded_by = 'elsewhere'"))
            assert conn.execute(sa.text("SELECT live_rows FROM table_counters WHERE name = 'incidents'")).scalar_one() == 0
            conn.execute(sa.text("UPDATE incidents SET superseded_by = NULL WHERE id = :i"), {"i": _incident(2).id})
            conn.execute(sa.text("INSERT INTO incidents (id, killed, injured, stored_at, payload, superseded_by) "
                                 "SELECT 'plain-sql-copy', killed, injured, stored_at, payload, 'elsewhere' FROM incidents WHERE id = :i"), {"i": _incident(2).id})
        assert store.count_incidents() == 1 and store.count_incidents(country="IQ") == 1
        _assert_counters_true(store.url)
    finally:
        engine.dispose()


def test_a_rolled_back_write_leaves_the_count_true(store: Store) -> None:
    store.save_incident(_incident(1))
    assert store.count_incidents() == 1
    engine = make_engine(store.url)
    try:
        with engine.connect() as conn, conn.begin() as tx:
            conn.execute(sa.text("UPDATE incidents SET superseded_by = 'x'"))
            tx.rollback()
    finally:
        engine.dispose()
    assert store.count_incidents() == 1 == _true_count(store.url)
    assert store.count_incidents(country="IQ") == 1
    _assert_counters_true(store.url)


def test_a_write_from_another_process_is_seen(store: Store) -> None:
    store.save_incident(_incident(1))
    assert store.count_incidents() == 1
    code = (
        "import datetime as dt\nfrom tripwire.model import Incident, Place\nfrom tripwire.store import Store\n"
        f"with Store({store.url!r}) as s:\n"
        "    s.save_incident(Incident(id='count-other-process', date=dt.date(2021, 5, 1), date_precision='day',"
        " place=Place(name='Abu Kamal', country='SY', lat=34.45, lon=40.92), attack_type='drone attack'))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert store.count_incidents() == 2
    assert store.count_incidents(country="SY", since=dt.date(2021, 1, 1)) == 1


def test_filtered_counts_equal_the_listing(store: Store) -> None:
    dates = [dt.date(2019, 12, 1), dt.date(2020, 6, 1), dt.date(2021, 3, 1), None]
    for i, day in enumerate(dates * 3):
        store.save_incident(_incident(i, "IQ" if i % 3 else "SY", day))
    filters: list[dict[str, object]] = [{}, {"country": "SY"}, {"country": "iq"}, {"since": dt.date(2020, 1, 1)}, {"until": dt.date(2020, 12, 31), "country": "IQ"}]
    for _round in range(2):  # counted, then from memory
        for f in filters:
            assert store.count_incidents(**f) == len(store.list_incidents(**f, limit=1000)), f  # type: ignore[arg-type]
        store.save_incident(_incident(99, "SY", dt.date(2020, 7, 1)))


def test_without_a_counter_row_every_count_is_taken(store: Store) -> None:
    store.save_incident(_incident(1))
    engine = make_engine(store.url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM table_counters WHERE name = 'incidents'"))
    finally:
        engine.dispose()
    assert store.count_incidents() == 1
    store.save_incident(_incident(2))
    misses = store.counts.misses
    assert store.count_incidents() == 2 and store.counts.misses == misses + 1
    assert store.count_incidents(country="IQ") == 2 and store.counts.misses == misses + 2
    assert store.count_incidents(country="IQ") == 2 and store.counts.misses == misses + 3


def test_an_upgraded_store_counts_the_rows_it_already_holds(db_url: str) -> None:
    from alembic import command

    from tripwire.store.engine import alembic_config, locked_transaction

    with Store(db_url) as store:
        for i in range(5):
            store.save_incident(_incident(i))
        store.supersede_incidents({_incident(0).id: _incident(1).id})
        store.save_action(Action(id="count-action-1", kind="airstrike", actor="usa", date=dt.date(2020, 1, 2)))
    engine = make_engine(db_url)
    try:
        with locked_transaction(engine) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")
    finally:
        engine.dispose()
    with Store(db_url) as store:
        assert store.count_incidents() == 4 and store.count_actions() == 1
    _assert_counters_true(db_url)


def test_truncate_empties_the_count(db_url: str) -> None:
    import pytest

    with Store(db_url) as store:
        if store.dialect != "postgresql":
            pytest.skip("TRUNCATE is PostgreSQL's")
        store.save_action(Action(id="count-action-1", kind="airstrike", actor="usa", date=dt.date(2020, 1, 2)))
        assert store.count_actions() == 1
        engine = make_engine(db_url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE actions"))
        finally:
            engine.dispose()
        assert store.count_actions() == 0
    _assert_counters_true(db_url)


def test_a_store_opened_without_migrating_counts_an_older_schema(db_url: str) -> None:
    from alembic import command

    from tripwire.store.engine import alembic_config, locked_transaction

    with Store(db_url) as store:
        store.save_incident(_incident(1))
    engine = make_engine(db_url)
    try:
        with locked_transaction(engine) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0005")  # no table_counters yet
    finally:
        engine.dispose()
    with Store(db_url, migrate=False) as old:
        assert old.count_incidents() == 1 and old.count_incidents(country="IQ") == 1 and old.count_actions() == 0
        old.upgrade()
        old.save_incident(_incident(2))
        misses = old.counts.misses
        assert old.count_incidents() == 2 and old.counts.misses == misses
