"""Listing totals from trigger-kept counters: a true ``total`` without a full count on every page.

A listing page answers with the number of rows its filters match. Counting
1,000,000 live incidents is an index scan of tens of milliseconds, more than
the page itself. Migration 0006 keeps a ``table_counters`` row for
``incidents`` and ``actions``, changed by triggers in the transaction of
every insert, update or delete of that table, from whatever process or
connection:

- ``live_rows`` is the number of rows the table's plain listing shows
  (incidents not superseded, every action): the unfiltered total, read with
  one primary-key lookup (:meth:`VersionedCounts.listed`);
- ``version`` goes up with every write. A filtered count is kept in memory
  with the version it was taken at and reused while the version stands
  (:meth:`VersionedCounts.count`); a new count reads the version and the rows
  in one statement (one snapshot on both backends, whatever the isolation level).

Migration 0007 has the incident triggers also keep ``incident_day_counts``:
live incidents per country (and all countries together) and day. A filtered
incident total (country, date range or both) is then a sum over at most one
row per day of the range (:func:`incident_total`) instead of a count of every
matching incident, so the first count after a write costs about what a
remembered one does.

A version identifies one committed state of its table: every commit that
changes the table raises it (SQLite serialises writers; on PostgreSQL the
counter row's lock orders them), and a rolled-back write takes its change
back with it. A table without a counter row (a database migrated by hand, a
row deleted) is simply counted every time. Writes that skip triggers on
purpose (PostgreSQL's ``session_replication_role = replica``, disabled
triggers) are not seen, nor SQLite's ``INSERT OR REPLACE`` over an existing
row when ``recursive_triggers`` is off (it deletes without firing delete
triggers; Tripwire's own connections turn the pragma on and never use it).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

from .tables import COUNTED_BY_TRIGGERS, IncidentDayCountRow, IncidentRow, TableCounterRow

#: Filtered counts remembered per store (one per table and set of filters; least recently used dropped first).
COUNT_CACHE_SIZE = 1024


def _counter(column: Any, table: str) -> Any:
    return select(column).where(TableCounterRow.name == table)


def incident_total(since: dt.date | None, until: dt.date | None, country: str | None) -> Select[Any]:
    """The number of live incidents in ``country`` (any when None) dated from ``since`` to ``until``, from the day counts.

    The same number as a ``count(*)`` of the listing's rows: with a date bound
    undated incidents are left out, and ``country`` is compared as the
    listing compares it (upper case, cut to the column's length).
    """
    day = IncidentDayCountRow
    if country is None:
        key: Any = literal("*")
    else:
        key = literal("=") + literal(country.upper(), IncidentRow.__table__.c.country.type)
    conditions: list[Any] = [day.country_key == key]
    if since is not None or until is not None:
        conditions.append(day.dated.is_(True))
    if since is not None:
        conditions.append(day.day >= since)
    if until is not None:
        conditions.append(day.day <= until)
    return select(func.coalesce(func.sum(day.live_rows), 0)).where(*conditions)


class VersionedCounts:
    """Totals of trigger-counted tables (see the module notes); other tables are counted every time."""

    def __init__(self, size: int = COUNT_CACHE_SIZE, *, enabled: bool = True) -> None:
        self.size = size
        #: False while the schema may predate the counters (a store opened without migrating): every count is taken
        self.enabled = enabled
        self._entries: OrderedDict[tuple[str, Hashable], tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()
        #: how many counts were answered without counting rows / by counting them (for tests and benchmarks)
        self.hits = 0
        self.misses = 0

    def _counted(self, session: Session, query: Select[Any]) -> int:
        with self._lock:
            self.misses += 1
        return int(session.scalar(query) or 0)

    def listed(self, session: Session, table: str, query: Select[Any]) -> int:
        """The number of rows ``table``'s plain listing shows; ``query`` counts them when there is no counter row."""
        if self.enabled and table in COUNTED_BY_TRIGGERS:
            live = session.scalar(_counter(TableCounterRow.live_rows, table))
            if live is not None:
                with self._lock:
                    self.hits += 1
                return int(live)
        return self._counted(session, query)

    def count(self, session: Session, table: str, key: Hashable, query: Select[Any], kept: Select[Any] | None = None) -> int:
        """The value of ``query`` (a ``SELECT count(*)`` over ``table``), reused while ``table``'s version stands.

        ``key`` names the filters of ``query``: two queries with the same
        ``table`` and ``key`` must count the same rows. ``kept`` reads the same
        number from trigger-kept counts (:func:`incident_total`); it replaces
        ``query`` once the schema has them (``enabled``).
        """
        if not self.enabled or table not in COUNTED_BY_TRIGGERS:
            return self._counted(session, query)
        if kept is not None:
            query = kept
        entry_key = (table, key)
        version = session.scalar(_counter(TableCounterRow.version, table))
        if version is not None:
            with self._lock:
                entry = self._entries.get(entry_key)
                if entry is not None and entry[0] == version:
                    self._entries.move_to_end(entry_key)
                    self.hits += 1
                    return entry[1]
        version, counted = session.execute(select(_counter(TableCounterRow.version, table).scalar_subquery(), query.scalar_subquery())).one()
        counted = int(counted or 0)
        with self._lock:
            self.misses += 1
            entry = self._entries.get(entry_key)
            if version is not None and (entry is None or entry[0] <= version):  # a slower, older count never replaces a newer one
                self._entries[entry_key] = (int(version), counted)
                self._entries.move_to_end(entry_key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return counted


__all__ = ["COUNT_CACHE_SIZE", "VersionedCounts", "incident_total"]
