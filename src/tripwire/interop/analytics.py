"""Analytics over large event sets with DuckDB: monthly counts, fatalities, rolling attack rates.

An :class:`EventFrame` is a DuckDB view called ``events`` over a flat event
table: a pyarrow table in memory, or a Parquet/CSV file written by
``tripwire export``. It needs the columns ``id``, ``date``, ``country``,
``perpetrator`` and ``killed``; an ``event`` column ("incident"/"action") is
optional (missing means every row is an incident). Reading the SQLite store
file directly would need DuckDB's sqlite extension, which is downloaded at
run time, so the store is reached through an export instead.

Every query returns a pyarrow table with a fixed column order, sorted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa

from ..errors import EstimationError, ParseError
from ..model import Action, AttributionResult, Incident
from .tabular import actions_table, incidents_table

REQUIRED = ("id", "date", "country", "perpetrator", "killed")
Key = Literal["perpetrator", "country"] | None

EVENT_SCHEMA = pa.schema([
    ("id", pa.string()), ("event", pa.string()), ("date", pa.date32()), ("country", pa.string()),
    ("perpetrator", pa.string()), ("killed", pa.int64()),
])  # fmt: skip


def events_table(incidents: Iterable[Incident] = (), actions: Iterable[Action] = (),
                 results: Mapping[str, AttributionResult] | None = None) -> pa.Table:
    """Incidents and actions as one flat table (:data:`EVENT_SCHEMA`); an action's actor is its perpetrator."""
    inc = incidents_table(incidents, results)
    act = actions_table(actions)
    parts = [
        pa.table({"id": inc["id"], "event": pa.array(["incident"] * inc.num_rows, pa.string()), "date": inc["date"],
                  "country": inc["country"], "perpetrator": inc["perpetrator"], "killed": inc["killed"]}, schema=EVENT_SCHEMA),
        pa.table({"id": act["id"], "event": pa.array(["action"] * act.num_rows, pa.string()), "date": act["date"],
                  "country": act["country"], "perpetrator": act["actor"], "killed": act["killed"]}, schema=EVENT_SCHEMA),
    ]  # fmt: skip
    return pa.concat_tables(parts)


class EventFrame:
    """A DuckDB view ``events`` over a flat event table, with the usual questions as methods.

    Build one with :meth:`from_arrow`, :meth:`from_parquet`, :meth:`from_csv`
    or :meth:`from_events`; use it as a context manager (or call
    :meth:`close`) to free the connection.
    """

    def __init__(self, connection: duckdb.DuckDBPyConnection, source: str) -> None:
        self._con = connection
        columns = [row[0] for row in self._con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            self._con.close()
            raise ParseError(f"event table lacks column(s) {', '.join(missing)}; it needs {', '.join(REQUIRED)}")
        event = "COALESCE(CAST(event AS VARCHAR), 'incident')" if "event" in columns else "'incident'"
        self._con.execute(
            f"CREATE VIEW events AS SELECT CAST(id AS VARCHAR) AS id, {event} AS event, CAST(date AS DATE) AS date, "
            f"CAST(country AS VARCHAR) AS country, COALESCE(CAST(perpetrator AS VARCHAR), 'unknown') AS perpetrator, "
            f"COALESCE(CAST(killed AS BIGINT), 0) AS killed FROM {source}"
        )

    # -- construction ------------------------------------------------------------

    @classmethod
    def from_arrow(cls, table: pa.Table) -> "EventFrame":
        """Over an in-memory pyarrow table."""
        con = duckdb.connect()
        con.register("source_table", table)
        return cls(con, "source_table")

    @classmethod
    def from_parquet(cls, path: str | Path) -> "EventFrame":
        """Over a Parquet file (e.g. the incidents table of ``tripwire export --format parquet``)."""
        return cls._from_file(path, "read_parquet")

    @classmethod
    def from_csv(cls, path: str | Path) -> "EventFrame":
        """Over a CSV file with a header (e.g. the incidents table of ``tripwire export --format csv``)."""
        return cls._from_file(path, "read_csv")

    @classmethod
    def _from_file(cls, path: str | Path, reader: str) -> "EventFrame":
        path = Path(path)
        if not path.is_file():
            raise ParseError(f"no such file: {path}")
        con = duckdb.connect()
        try:
            rel = con.read_parquet(str(path)) if reader == "read_parquet" else con.read_csv(str(path), header=True)
            rel.create_view("source_file")
        except duckdb.Error as exc:
            con.close()
            raise ParseError(f"{path} cannot be read as {reader[5:]}: {' '.join(str(exc).split())[:300]}") from exc
        return cls(con, "source_file")

    @classmethod
    def from_events(cls, incidents: Iterable[Incident] = (), actions: Iterable[Action] = (),
                    results: Mapping[str, AttributionResult] | None = None) -> "EventFrame":
        """Over Tripwire incidents and actions (see :func:`events_table`)."""
        return cls.from_arrow(events_table(incidents, actions, results))

    def close(self) -> None:
        """Close the DuckDB connection."""
        self._con.close()

    def __enter__(self) -> "EventFrame":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- queries -----------------------------------------------------------------

    def sql(self, query: str, params: list[object] | None = None) -> pa.Table:
        """Run any SQL over the ``events`` view; the result as a pyarrow table."""
        return self._con.sql(query, params=params or None).to_arrow_table()

    def count(self, event: str | None = None) -> int:
        """Number of rows, optionally of one event kind."""
        if event is None:
            return int(self._con.execute("SELECT count(*) FROM events").fetchall()[0][0])
        return int(self._con.execute("SELECT count(*) FROM events WHERE event = ?", [event]).fetchall()[0][0])

    @staticmethod
    def _key(by: Key) -> str:
        if by is None:
            return "'all'"
        if by not in ("perpetrator", "country"):
            raise ValueError(f"group by 'perpetrator', 'country' or None, not {by!r}")
        return f"COALESCE({by}, 'unknown')"

    def monthly_counts(self, by: Key = "perpetrator", *, event: str = "incident") -> pa.Table:
        """Events and deaths per calendar month and ``by`` key: columns month, key, events, killed."""
        key = self._key(by)
        return self.sql(
            f"SELECT CAST(date_trunc('month', date) AS DATE) AS month, {key} AS key, count(*) AS events, "
            f"CAST(sum(killed) AS BIGINT) AS killed FROM events WHERE event = ? AND date IS NOT NULL "
            f"GROUP BY ALL ORDER BY month, key",
            [event],
        )

    def fatalities_by_perpetrator(self) -> pa.Table:
        """Incidents and deaths per perpetrator, most deaths first: columns perpetrator, incidents, killed."""
        return self.sql(
            "SELECT perpetrator, count(*) AS incidents, CAST(sum(killed) AS BIGINT) AS killed FROM events "
            "WHERE event = 'incident' GROUP BY perpetrator ORDER BY killed DESC, perpetrator"
        )

    def rolling_rate(self, window_days: int = 30, by: Key = None, *, event: str = "incident") -> pa.Table:
        """Daily events and the trailing ``window_days`` rate, every day from first to last event.

        Columns: day, key, events (that day), window_events (in the window
        ending that day), rate_per_day (window_events / window_days). Days
        without events are filled with zeros so the window is calendar days.
        """
        if not isinstance(window_days, int) or window_days < 1:
            raise EstimationError(f"window_days must be a positive whole number of days, not {window_days!r}")
        key = self._key(by)
        return self.sql(
            f"""
            WITH daily AS (
                SELECT date AS day, {key} AS key, count(*) AS n FROM events
                WHERE event = ? AND date IS NOT NULL GROUP BY ALL),
            keys AS (SELECT DISTINCT key FROM daily),
            cal AS (
                SELECT CAST(unnest(range(CAST(min(day) AS TIMESTAMP), CAST(max(day) AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY)) AS DATE) AS day
                FROM daily),
            filled AS (
                SELECT cal.day, keys.key, COALESCE(daily.n, 0) AS n
                FROM cal CROSS JOIN keys LEFT JOIN daily ON daily.day = cal.day AND daily.key = keys.key)
            SELECT day, key, CAST(n AS BIGINT) AS events,
                   CAST(sum(n) OVER w AS BIGINT) AS window_events,
                   sum(n) OVER w / {window_days}.0 AS rate_per_day
            FROM filled
            WINDOW w AS (PARTITION BY key ORDER BY day ROWS BETWEEN {window_days - 1} PRECEDING AND CURRENT ROW)
            ORDER BY key, day
            """,
            [event],
        )
