"""Fuzzing the dataset importers (ACLED, UCDP GED, GDELT 2.0) end to end, into a store.

``tests/interop/test_fuzz.py`` already feeds bytes and hostile cells to
``iter_events``. These tests add the layers around it: ``sniff_format`` on
header-like junk, ``import_file`` writing fuzzed files into a real store (what
is stored must be exactly the first row of each event id that parsed, each
whole), and an import interrupted at any batch (Ctrl-C), then run again.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.errors import TripwireError
from tripwire.interop import FORMATS, BadRow, ParsedRow, import_file, iter_events, sniff_format
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Incident, content_hash
from tripwire.store import Store

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KB = KnowledgeBase.load()
FIXTURES = Path(__file__).resolve().parents[1] / "interop" / "fixtures"
SAMPLES = {
    "acled": (FIXTURES / "acled_iraq.csv").read_bytes(),
    "ucdp": (FIXTURES / "ucdp_ged.csv").read_bytes(),
    "gdelt": (FIXTURES / "gdelt_events.export.CSV").read_bytes(),
}
NAMES = {"acled": "acled.csv", "ucdp": "ged.csv", "gdelt": "20200103.export.CSV"}


def with_file(data: bytes, name: str):  # type: ignore[no-untyped-def]
    """A temporary file holding ``data``; use as a context manager yielding its path."""

    class _File:
        def __enter__(self) -> Path:
            self._tmp = tempfile.TemporaryDirectory()
            path = Path(self._tmp.name) / name
            path.write_bytes(data)
            return path

        def __exit__(self, *exc: object) -> None:
            self._tmp.cleanup()

    return _File()


def mangle_lines(data: bytes, picks: list[tuple[int, int, bytes]]) -> bytes:
    """Each (line, column, junk): overwrite bytes of that data line (never the header) at that column."""
    lines = data.split(b"\n")
    for line, column, junk in picks:
        i = 1 + line % max(1, len(lines) - 1)
        row = lines[i]
        at = column % (len(row) + 1)
        lines[i] = row[:at] + junk + row[at + len(junk) // 2 :]
    return b"\n".join(lines)


JUNK = st.sampled_from(
    [b",", b'"', b'""', b"\t", b"\r", b"\n", b"\x00", b"\xff\xfe", b"\xc3", b"-999", b"99999999999999999999", b"nan",
     b"1e400", b"2019-02-30", b"0000-00-00", b"-181.5", b"\xe2\x80\xae", b"=cmd|' /C calc'!A0", b"x" * 5000, b"NULL"]
)  # fmt: skip


@FUZZ
@given(st.sampled_from(sorted(SAMPLES)), st.lists(st.tuples(st.integers(0, 50), st.integers(0, 5000), JUNK), max_size=8))
def test_import_stores_exactly_the_rows_that_parse(fmt: str, picks: list[tuple[int, int, bytes]]) -> None:
    data = mangle_lines(SAMPLES[fmt], picks)
    with with_file(data, NAMES[fmt]) as path, Store("sqlite://") as store:
        try:
            items = list(iter_events(path, format=fmt, kb=KB))
            report = import_file(store, path, format=fmt, kb=KB)
        except TripwireError as exc:
            assert str(exc)
            assert store.count_documents() == 0, "a refused file left documents behind"
            return
        parsed = [i for i in items if isinstance(i, ParsedRow)]
        assert len(report.bad_rows) == sum(isinstance(i, BadRow) for i in items)
        first: dict[str, ParsedRow] = {}
        for p in parsed:  # a row is a duplicate when an earlier row had its event id
            first.setdefault(p.event.id, p)
        assert set(report.added) == set(first) and len(report.added) + len(report.duplicates) == len(parsed)
        docs = {p.document.id: p.document.text for p in first.values()}
        stored = {d.id: d.text for d in store.list_documents(limit=10_000)}
        assert stored == docs
        assert all(content_hash(text) == doc_id for doc_id, text in stored.items())
        incidents = {e for e, p in first.items() if isinstance(p.event, Incident)}
        actions = set(first) - incidents
        assert {i.id for i in store.list_incidents(limit=10_000)} == incidents
        assert {a.id for a in store.list_actions(limit=10_000)} == actions
        for event_id in incidents:
            assert store.get_incident(event_id) == first[event_id].event


HEADERISH = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(["event_id_cnty", "event_date", "id", "date_start", "latitude", "GLOBALEVENTID", "", '"', "x"]), max_size=70).map(
        lambda cols: (",".join(cols) + "\n1,2,3\n").encode()
    ),
    st.integers(0, 80).map(lambda n: ("\t".join(["1"] * n) + "\n").encode()),
    st.sampled_from(list(SAMPLES.values())).map(lambda b: b[: len(b) // 3]),
)


@FUZZ
@given(HEADERISH, st.sampled_from(["data.csv", "data.tsv", "data.CSV", "data"]))
def test_sniffing_names_a_format_or_raises_a_tripwire_error(data: bytes, name: str) -> None:
    with with_file(data, name) as path:
        try:
            fmt = sniff_format(path)
        except TripwireError as exc:
            assert str(exc)
            return
        assert fmt in FORMATS


class InterruptedStore:
    """A store whose n-th batch write is interrupted (Ctrl-C arrives while the batch is being written)."""

    def __init__(self, store: Store, n: int) -> None:
        self.store = store
        self.n = n

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.store, name)

    def add_dataset_rows(self, batch):  # type: ignore[no-untyped-def]
        self.n -= 1
        if self.n == 0:
            raise KeyboardInterrupt
        return self.store.add_dataset_rows(batch)


def events_of(store: Store) -> tuple[set[str], set[str]]:
    """Ids of the stored incidents and actions."""
    return {i.id for i in store.list_incidents(limit=10_000)}, {a.id for a in store.list_actions(limit=10_000)}


def test_an_interrupted_import_completes_when_run_again(tmp_path: Path) -> None:
    """An import stopped at any batch keeps the batches before it whole, and a re-run stores the rest once."""
    for fmt in sorted(SAMPLES):
        path = tmp_path / NAMES[fmt]
        path.write_bytes(SAMPLES[fmt])
        with Store("sqlite://") as clean:
            import_file(clean, path, format=fmt, kb=KB)
            expected = events_of(clean)
            documents = clean.count_documents()
        rows = len(expected[0]) + len(expected[1])
        for n in range(1, rows + 1):
            with Store("sqlite://") as store:
                try:
                    import_file(InterruptedStore(store, n), path, format=fmt, kb=KB, batch_size=1)
                except KeyboardInterrupt:
                    pass
                kept = events_of(store)
                assert len(kept[0]) + len(kept[1]) == min(n - 1, rows) == store.count_documents(), f"{fmt}: batch {n} was torn"
                report = import_file(store, path, format=fmt, kb=KB, batch_size=2)
                assert events_of(store) == expected, f"{fmt}: interrupted at batch {n}, the re-run did not store every row"
                assert store.count_documents() == documents and len(report.added) == rows - min(n - 1, rows)
