"""Fuzzing the dataset importers (ACLED, UCDP GED, GDELT 2.0) end to end, into a store.

``tests/interop/test_fuzz.py`` already feeds bytes and hostile cells to
``iter_events``. These tests add the layers around it: ``sniff_format`` on
header-like junk, ``import_file`` writing fuzzed files into a real store (what
is stored must be exactly the first row of each event id that parsed, each
whole), and an import interrupted at any batch (Ctrl-C), then run again.
Each runs on SQLite and on PostgreSQL (``reusable_db_url``), where a NUL in a
cell once stopped the import at that row on every re-run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.errors import StoreError, TripwireError
from tripwire.interop import FORMATS, BadRow, ParsedRow, import_file, iter_events, sniff_format
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Incident, content_hash
from tripwire.store import Store

from ..postgres import empty_store

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
def test_import_stores_exactly_the_rows_that_parse(reusable_db_url: str, fmt: str, picks: list[tuple[int, int, bytes]]) -> None:
    data = mangle_lines(SAMPLES[fmt], picks)
    with with_file(data, NAMES[fmt]) as path, empty_store(reusable_db_url) as store:
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


def acled_with_padding(rows: int) -> bytes:
    """The ACLED sample preceded by ``rows`` valid rows, so that its own rows lie past the bytes ``sniff`` reads."""
    header, first, rest = SAMPLES["acled"].split(b"\n", 2)
    padding = [first.replace(b"IRQ50001,", f"IRQ7{i:04d},".encode(), 1) for i in range(rows)]
    return b"\n".join([header, *padding, first, rest])


NUL_CELLS = [
    (b"IRQ50001,", b"IRQ5\x000001,"),  # the event id
    (b"Around thirty rockets", b"Around\x00 thirty rockets"),  # the notes, the document's text
    (b"Example Wire,,US aircraft", b"Example\x00 Wire,,US aircraft"),  # the source
]


def test_nul_in_csv_cells_imports_the_same_rows_on_every_backend(reusable_db_url: str, tmp_path: Path) -> None:
    """A NUL in a row past the sniffed head once stopped ``import`` at that row on PostgreSQL, on every re-run."""
    clean_data = acled_with_padding(250)
    data = clean_data
    for old, new in NUL_CELLS:
        at = data.index(old, 65_536)
        data = data[:at] + new + data[at + len(old) :]
    path = tmp_path / NAMES["acled"]
    path.write_bytes(data)
    clean = tmp_path / "clean" / NAMES["acled"]
    clean.parent.mkdir()
    clean.write_bytes(clean_data)
    with empty_store("sqlite://") as reference:
        expected = import_file(reference, clean, format="acled", kb=KB)
        expected_texts = sorted(d.text for d in reference.list_documents(limit=1000))
        expected_ids = events_of(reference)
    with empty_store(reusable_db_url) as store:
        first = import_file(store, path, format="acled", kb=KB)
        assert first.bad_rows == expected.bad_rows and len(first.added) == len(expected.added) > 250
        assert sorted(d.text for d in store.list_documents(limit=1000)) == expected_texts
        assert events_of(store) == expected_ids  # 'IRQ5\x000001' is stored as 'IRQ50001', as on SQLite
        again = import_file(store, path, format="acled", kb=KB)
        assert again.added == () and set(again.duplicates) == set(first.added) | set(first.duplicates) and again.bad_rows == expected.bad_rows


class RefusingStore:
    """A store whose database refuses the document of every row whose text mentions ``word``."""

    def __init__(self, store: Store, word: str) -> None:
        self.store = store
        self.word = word

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.store, name)

    def add_dataset_rows(self, batch):  # type: ignore[no-untyped-def]
        for doc, _event in batch:
            if self.word in doc.text:  # the whole transaction fails, as a database's would
                raise StoreError(f"could not store document {doc.id[:12]}: the database refused (disk full)")
        return self.store.add_dataset_rows(batch)


def test_a_row_the_database_refuses_is_a_bad_row_and_the_rest_are_imported(reusable_db_url: str, tmp_path: Path) -> None:
    path = tmp_path / NAMES["acled"]
    path.write_bytes(SAMPLES["acled"])
    with empty_store("sqlite://") as reference:
        everything = import_file(reference, path, format="acled", kb=KB)
    with empty_store(reusable_db_url) as store:
        report = import_file(RefusingStore(store, "Syrian border"), path, format="acled", kb=KB)
        (bad,) = set(report.bad_rows) - set(everything.bad_rows)
        assert bad.line == 3 and "the database refused (disk full)" in bad.message
        assert len(report.added) == len(everything.added) - 1
        assert store.count_documents() == len(everything.added) - 1
        rerun = import_file(store, path, format="acled", kb=KB)  # the database takes it now: the row completes
        assert rerun.bad_rows == everything.bad_rows and len(rerun.added) == 1


def test_an_event_id_over_the_key_width_is_the_same_bad_row_on_every_backend(reusable_db_url: str, tmp_path: Path) -> None:
    """PostgreSQL once refused an event id over 200 characters at insert (a bad row there only) while SQLite stored it."""
    from tripwire.model import MAX_ID_CHARS

    path = tmp_path / NAMES["acled"]
    fits = "IRQ" + "5" * (MAX_ID_CHARS - len("acled-irq"))  # 'acled-' + the id, lower-cased: exactly the key width
    path.write_bytes(SAMPLES["acled"].replace(b"IRQ50002,", fits.encode() + b"5,", 1))  # one character over
    with empty_store("sqlite://") as reference:
        everything = import_file(reference, _write(tmp_path / "clean", SAMPLES["acled"]), format="acled", kb=KB)
    reports = {}
    for url in ("sqlite://", reusable_db_url):
        with empty_store(url) as store:
            reports[url] = import_file(store, path, format="acled", kb=KB)
            (bad,) = set(reports[url].bad_rows) - set(everything.bad_rows)
            assert bad.line == 3 and f"at most {MAX_ID_CHARS} characters" in bad.message
            assert len(reports[url].added) == len(everything.added) - 1
            assert store.count_documents() == len(everything.added) - 1, "the refused row's document was not stored either"
    assert reports["sqlite://"].bad_rows == reports[reusable_db_url].bad_rows
    path.write_bytes(SAMPLES["acled"].replace(b"IRQ50002,", fits.encode() + b",", 1))
    with empty_store(reusable_db_url) as store:
        report = import_file(store, path, format="acled", kb=KB)
        assert report.bad_rows == everything.bad_rows and len(report.added) == len(everything.added)
        assert f"acled-{fits.lower()}" in {i.id for i in store.list_incidents(limit=1000)} | {a.id for a in store.list_actions()}


def _write(folder: Path, data: bytes) -> Path:
    folder.mkdir()
    (folder / NAMES["acled"]).write_bytes(data)
    return folder / NAMES["acled"]


@pytest.mark.parametrize("rows_after", [3, 1999])
def test_a_runaway_quote_is_one_bad_row_and_the_rows_it_swallowed_are_read(tmp_path: Path, rows_after: int) -> None:
    """An unclosed quote once swallowed every later row into one 'bad row'; each line must be accounted for on its own."""
    header, first, _rest = SAMPLES["acled"].split(b"\n", 2)
    broken = first.replace(b"IRQ50001,", b"IRQ6BROKEN,", 1).replace(b'soldiers hurt."', b"soldiers hurt.", 1)  # the notes' closing quote lost
    assert broken.count(b'"') % 2 == 1, "the broken row must leave a quote open"
    plain = first.replace(b'"Around thirty rockets struck a base near Kirkuk hosting coalition staff; one US contractor was killed, several soldiers hurt."', b"Rockets struck a base near Kirkuk", 1)
    assert b'"' not in plain  # rows without quotes: nothing closes the runaway one before the end of the file
    after = [plain.replace(b"IRQ50001,", f"IRQ8{i:04d},".encode(), 1) for i in range(rows_after)]
    path = tmp_path / NAMES["acled"]
    path.write_bytes(b"\n".join([header, broken, *after]) + b"\n")
    with Store("sqlite://") as store:
        report = import_file(store, path, format="acled", kb=KB)
        (bad,) = report.bad_rows
        assert bad.line == 2 and "unclosed quote" in bad.message and f"over {rows_after} more line(s)" in bad.message
        assert len(report.added) == rows_after and len(report.added) + len(report.bad_rows) == rows_after + 1
        assert {i.id for i in store.list_incidents(limit=10_000)} == {f"acled-irq8{i:04d}" for i in range(rows_after)}
