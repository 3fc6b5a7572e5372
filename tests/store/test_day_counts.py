"""Per-(country, day) incident counts (migration 0007) stay equal to a plain count(*) under random writes of every kind, on both backends."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from tripwire.model import Incident, Place
from tripwire.store import Store
from tripwire.store.engine import make_engine
from tripwire.store.tables import IncidentDayCountRow, IncidentRow

from .factories import incident

COUNTRIES = ["IQ", "SY", "JO", None]
DAYS = [dt.date(2019, 12, 31), dt.date(2020, 1, 1), dt.date(2020, 6, 15), dt.date(2021, 3, 1), None]
FILTERS: list[dict[str, object]] = [
    {"country": c, "since": s, "until": u}
    for c in ("IQ", "sy", "JO", "IR", None)
    for s, u in ((None, None), (dt.date(2020, 1, 1), None), (None, dt.date(2020, 1, 1)), (dt.date(2020, 1, 1), dt.date(2020, 12, 31)), (dt.date(2022, 1, 1), None))
    if (c, s, u) != (None, None, None)
]
UNDATED = dt.date(1, 1, 1)


def _incident(key: str, country: str | None, day: dt.date | None) -> Incident:
    place = Place(name="Somewhere", country=country, lat=33.0, lon=44.0) if country else None
    return incident(f"day-count-{key}").model_copy(update={"date": day, "place": place})


def _plain_count(conn: sa.Connection, country: str | None, since: dt.date | None, until: dt.date | None) -> int:
    """What the listing holds, counted row by row (the definition the day counts must match)."""
    conditions = [IncidentRow.superseded_by.is_(None)]
    if country is not None:
        conditions.append(IncidentRow.country == country.upper())
    if since is not None:
        conditions.append(IncidentRow.date >= since)
    if until is not None:
        conditions.append(IncidentRow.date <= until)
    return int(conn.execute(sa.select(sa.func.count()).select_from(IncidentRow).where(*conditions)).scalar_one())


def _expected_rows(conn: sa.Connection) -> Counter[tuple[str, bool, dt.date]]:
    expected: Counter[tuple[str, bool, dt.date]] = Counter()
    for country, day in conn.execute(sa.select(IncidentRow.country, IncidentRow.date).where(IncidentRow.superseded_by.is_(None))):
        for key in ("=" + country if country is not None else "", "*"):
            expected[(key, day is not None, day or UNDATED)] += 1
    return expected


def _assert_true(store: Store) -> None:
    engine = make_engine(store.url)
    try:
        with engine.connect() as conn:
            kept = Counter({(r.country_key, bool(r.dated), r.day): int(r.live_rows) for r in conn.execute(sa.select(IncidentDayCountRow)) if r.live_rows})
            assert kept == _expected_rows(conn)
            for f in FILTERS:
                assert store.count_incidents(**f) == _plain_count(conn, **f), f  # type: ignore[arg-type]
    finally:
        engine.dispose()


def _step(rng: random.Random, store: Store, engine: sa.Engine, ids: list[str]) -> None:
    """One random write: the store's own writes, plain SQL on another connection (one row or many), a rolled-back one."""
    kind = rng.choice(["save", "save", "resave", "save_many", "supersede", "revive", "move", "move_many", "delete", "copy", "rollback"])
    if kind == "save" or not ids:
        key = f"{len(ids):04d}"
        store.save_incident(_incident(key, rng.choice(COUNTRIES), rng.choice(DAYS)))
        ids.append(f"day-count-{key}")
    elif kind == "resave":  # the upsert: country and date change, superseded_by cleared
        target = rng.choice(ids)
        store.save_incident(_incident(target.removeprefix("day-count-"), rng.choice(COUNTRIES), rng.choice(DAYS)))
    elif kind == "save_many":  # one multi-row upsert: new rows and stored ones moved, in one statement
        batch = [_incident(f"{len(ids) + k:04d}", rng.choice(COUNTRIES), rng.choice(DAYS)) for k in range(rng.randint(1, 3))]
        batch += [_incident(t.removeprefix("day-count-"), rng.choice(COUNTRIES), rng.choice(DAYS)) for t in rng.sample(ids, min(2, len(ids)))]
        store.save_events(batch)
        ids.extend(i.id for i in batch if i.id not in ids)
    elif kind == "supersede":
        store.supersede_incidents({rng.choice(ids): rng.choice(ids) for _ in range(rng.randint(1, 3))})
    else:
        day, country = rng.choice(DAYS), rng.choice(COUNTRIES)
        with engine.connect() as conn, conn.begin() as tx:
            table = IncidentRow.__table__
            if kind == "revive":
                conn.execute(table.update().where(table.c.id.in_(rng.sample(ids, min(3, len(ids))))).values(superseded_by=None))
            elif kind == "move":
                conn.execute(table.update().where(table.c.id == rng.choice(ids)).values(country=country, date=day))
            elif kind == "move_many":  # one statement changing many rows, some live, some superseded
                conn.execute(table.update().where(table.c.country == rng.choice(COUNTRIES[:3])).values(date=day))
            elif kind == "delete":
                victim = rng.choice(ids)
                conn.execute(sa.text("DELETE FROM claims WHERE incident_id = :i"), {"i": victim})
                conn.execute(sa.text("DELETE FROM incident_documents WHERE incident_id = :i"), {"i": victim})
                conn.execute(table.delete().where(table.c.id == victim))
                ids.remove(victim)
            elif kind == "copy":  # a multi-row INSERT ... SELECT, a share of the copies superseded
                suffix = f"-copy{len(ids):04d}"
                source = sa.select(table).where(table.c.id.in_(rng.sample(ids, min(4, len(ids))))).subquery()
                columns = [c.name for c in table.columns]
                values = [(source.c.id + suffix).label("id") if c == "id" else sa.case((source.c.country == "IQ", "elsewhere"), else_=None).label(c)
                          if c == "superseded_by" else source.c[c] for c in columns]
                result = conn.execute(table.insert().from_select(columns, sa.select(*values)).returning(table.c.id))
                ids.extend(result.scalars())
            if kind == "rollback":
                conn.execute(table.update().values(superseded_by=None, country=country))
                tx.rollback()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_day_counts_equal_a_plain_count_under_random_writes(db_url: str, seed: int) -> None:
    rng = random.Random(seed)
    ids: list[str] = []
    with Store(db_url) as store:
        engine = make_engine(db_url)
        try:
            for step in range(80):
                _step(rng, store, engine, ids)
                if step % 10 == 9:
                    _assert_true(store)
        finally:
            engine.dispose()
        _assert_true(store)


def test_two_writers_at_once_keep_the_counts_exact(db_url: str) -> None:
    """Two stores writing in threads at once (on PostgreSQL: concurrent transactions on the same day rows)."""
    Store(db_url).close()
    failures: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            with Store(db_url) as store:
                for i in range(30):
                    store.save_incident(_incident(f"w{worker}-{i:03d}", COUNTRIES[i % 2], DAYS[i % 3]))
                    if i % 4 == 3:
                        store.supersede_incidents({f"day-count-w{worker}-{i - 1:03d}": f"day-count-w{1 - worker}-{i - 2:03d}"})
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures, failures
    with Store(db_url) as store:
        assert store.count_incidents() == 2 * (30 - 7)
        _assert_true(store)


def test_an_upgrade_counts_the_incidents_already_stored(db_url: str) -> None:
    from alembic import command

    from tripwire.store.engine import alembic_config, locked_transaction

    with Store(db_url) as store:
        for i, (country, day) in enumerate((c, d) for c in COUNTRIES for d in DAYS):
            store.save_incident(_incident(f"{i:03d}", country, day))
        store.supersede_incidents({"day-count-000": "day-count-001", "day-count-007": "day-count-001"})
    engine = make_engine(db_url)
    try:
        with locked_transaction(engine) as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_table("incident_day_counts")
    finally:
        engine.dispose()
    with Store(db_url) as store:  # migrated again: the stored rows are counted in the migration
        _assert_true(store)
        store.save_incident(_incident("after", "SY", DAYS[0]))
        _assert_true(store)


def test_truncate_empties_the_day_counts(db_url: str) -> None:
    with Store(db_url) as store:
        if store.dialect != "postgresql":
            pytest.skip("TRUNCATE is PostgreSQL's")
        store.save_incident(_incident("t", "IQ", DAYS[1]))
        engine = make_engine(db_url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE incidents CASCADE"))
        finally:
            engine.dispose()
        assert store.count_incidents(country="IQ") == 0
        _assert_true(store)


def test_a_filtered_total_after_a_write_sums_day_counts_not_incidents(store: Store) -> None:
    for i, day in enumerate(DAYS):
        store.save_incident(_incident(f"{i:03d}", "SY", day))
    seen: list[str] = []
    sa.event.listen(store._engine, "before_cursor_execute", lambda _c, _k, statement, *_r: seen.append(statement.lower()))
    with Store(store.url) as other:
        other.save_incident(_incident("new", "SY", DAYS[2]))
    assert store.count_incidents(country="SY", since=dt.date(2020, 1, 1)) == 4
    assert any("incident_day_counts" in s for s in seen) and not any("from incidents" in s for s in seen), seen
