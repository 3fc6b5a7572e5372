"""Row counts remembered per table version: a true ``total`` without a full count on every page.

A listing page answers with the number of rows its filters match. Counting
1,000,000 live incidents is an index scan of 20-30 ms, more than the page
itself, so :class:`VersionedCounts` keeps each count with the version of its
table (the ``table_versions`` row that the triggers of migration 0005 raise
in the same transaction as any insert, update or delete of that table, from
whatever process or connection) and reuses it while that version stands:

1. read the table's version (one primary-key lookup);
2. if a count for these filters was taken at that version, it is the count now;
3. otherwise count, reading the version and the count in one statement (one
   snapshot on both backends, whatever the isolation level), and remember the pair.

A version identifies one committed state of its table: every commit that
changes the table raises it (SQLite serialises writers; on PostgreSQL the
counter row's lock orders them), and a rolled-back write takes its raise
back with it. A table without a version row (a database migrated by hand, a
row deleted) is simply counted every time. Writes that skip triggers on
purpose (PostgreSQL's ``session_replication_role = replica``, disabled
triggers) are not seen; nothing in Tripwire makes them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .tables import VERSIONED_TABLES, TableVersionRow

#: Counts remembered per store (one per table and set of filters; least recently used dropped first).
COUNT_CACHE_SIZE = 1024


def version_query(table: str) -> Any:
    """The current version of ``table`` (NULL when it has no version row)."""
    return select(TableVersionRow.version).where(TableVersionRow.name == table)


class VersionedCounts:
    """Counts of versioned tables, reused while the table's version is unchanged (see the module notes)."""

    def __init__(self, size: int = COUNT_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, Hashable], tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()
        #: how many counts were answered from memory / by counting (for tests and benchmarks)
        self.hits = 0
        self.misses = 0

    def count(self, session: Session, table: str, key: Hashable, query: Select[Any]) -> int:
        """The value of ``query`` (a ``SELECT count(*)`` over ``table``), reused while ``table``'s version stands.

        ``key`` names the filters of ``query``: two queries with the same
        ``table`` and ``key`` must count the same rows.
        """
        if table not in VERSIONED_TABLES:
            return int(session.scalar(query) or 0)
        entry_key = (table, key)
        version = session.scalar(version_query(table))
        if version is not None:
            with self._lock:
                entry = self._entries.get(entry_key)
                if entry is not None and entry[0] == version:
                    self._entries.move_to_end(entry_key)
                    self.hits += 1
                    return entry[1]
        version, counted = session.execute(select(version_query(table).scalar_subquery(), query.scalar_subquery())).one()
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


__all__ = ["COUNT_CACHE_SIZE", "VersionedCounts", "version_query"]
