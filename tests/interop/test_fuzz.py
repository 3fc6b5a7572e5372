"""Fuzzing the dataset readers: whatever the bytes or rows, only Tripwire's own errors come out."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tripwire.errors import TripwireError
from tripwire.interop import BadRow, ParsedRow, acled, gdelt, iter_events, sniff_format, ucdp
from tripwire.model import content_hash

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()

FUZZ = settings(max_examples=60, deadline=None)


def _consume(data: bytes, fmt: str | None) -> list[ParsedRow | BadRow]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        try:
            return list(iter_events(path, format=fmt, kb=KB))
        except TripwireError as exc:
            assert str(exc)  # a complete sentence, never empty
            return []


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([None, "acled", "ucdp", "gdelt"]))
def test_arbitrary_bytes_raise_only_tripwire_errors(data: bytes, fmt: str | None) -> None:
    _consume(data, fmt)


# Values that look like the real thing mixed with junk, for every column.
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "0", "-1", "3.5", "1e9", "nan", "inf", "2020-01-08", "20200108", "08 January 2020", "2019-02-29", "99.9", "-181", "IZ", "368", '"', "\r\n"]),
)


def _csv(header: tuple[str, ...], rows: list[list[str]], delimiter: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE,
                        escapechar="\\" if delimiter != "," else None)  # fmt: skip
    if header:
        writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buf.getvalue().encode("utf-8", "surrogatepass")


FIXTURES = Path(__file__).parent / "fixtures"
GOOD = {
    "acled": next(csv.reader(io.StringIO((FIXTURES / "acled_iraq.csv").read_text(encoding="utf-8").splitlines()[1]))),
    "ucdp": next(csv.reader(io.StringIO((FIXTURES / "ucdp_ged.csv").read_text(encoding="utf-8").splitlines()[1]))),
    "gdelt": (FIXTURES / "gdelt_events.export.CSV").read_text(encoding="utf-8").splitlines()[0].split("\t"),
}


@st.composite
def damaged_row(draw: st.DrawFn, fmt: str) -> list[str]:
    """A real row of ``fmt`` with a few cells replaced, or a row of pure junk of any width."""
    good = list(GOOD[fmt])
    if draw(st.integers(0, 4)) == 0:
        return draw(st.lists(cell, min_size=len(good) - 1, max_size=len(good) + 1))
    for index in draw(st.lists(st.integers(0, len(good) - 1), max_size=4)):
        good[index] = draw(cell)
    return good


@FUZZ
@given(st.data(), st.sampled_from(["acled", "ucdp", "gdelt"]))
def test_arbitrary_rows_become_events_or_bad_rows(data: st.DataObject, fmt: str) -> None:
    columns = {"acled": acled.COLUMNS, "ucdp": ucdp.COLUMNS, "gdelt": gdelt.COLUMNS}[fmt]
    rows = data.draw(st.lists(damaged_row(fmt), min_size=1, max_size=5))
    raw = _csv(() if fmt == "gdelt" else columns, rows, "\t" if fmt == "gdelt" else ",")
    items = _consume(raw, fmt)
    for item in items:
        assert isinstance(item, (ParsedRow, BadRow)) and item.line >= 1
        if isinstance(item, ParsedRow):
            assert item.event.documents == (item.document.id,)


@FUZZ
@given(st.text(max_size=300))
def test_sniffing_text_raises_only_tripwire_errors(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "guess.txt"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        try:
            assert sniff_format(path) in {"acled", "ucdp", "gdelt"}
        except TripwireError:
            pass


#: The first data row of the ACLED fixture, as fields.
SAMPLE_ACLED_ROW = list(csv.reader(io.StringIO((Path(__file__).parent / "fixtures" / "acled_iraq.csv").read_text(encoding="utf-8"))))[1]

json_value = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True), cell,
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))


@FUZZ
@given(st.sampled_from(["acled", "ucdp"]), st.lists(st.one_of(json_value, st.just("record")), max_size=6), st.sampled_from(["data", "Result", None]))
def test_api_json_of_any_values_gives_rows_or_bad_rows(fmt: str, picks: list[object], key: str | None) -> None:
    columns = acled.COLUMNS if fmt == "acled" else ucdp.COLUMNS
    records: list[object] = []
    for i, pick in enumerate(picks):
        if pick == "record":
            records.append({c: ("2020-01-08" if "date" in c else str(i + 1)) for c in columns})
        else:
            records.append({c: pick for c in columns} if i % 2 else pick)
    body = {key: records} if key else records
    items = _consume(json.dumps(body).encode(), fmt)
    assert all(isinstance(i, (ParsedRow, BadRow)) for i in items)
    for item in items:
        if isinstance(item, ParsedRow):
            assert item.document.id == content_hash(item.document.text)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(list(acled.COLUMNS)), st.one_of(cell, st.sampled_from(["NA", " NA ", "N/A", "NULL", "nan", "Tar\u2019s"]))), max_size=10))
def test_missing_value_texts_never_reach_an_event(edits: list[tuple[str, str]]) -> None:
    base = dict(zip(acled.COLUMNS, SAMPLE_ACLED_ROW))
    for column, value in edits:
        base[column] = value
    out = io.StringIO()
    csv.writer(out).writerows([acled.COLUMNS, [base[c] for c in acled.COLUMNS]])
    for item in _consume(out.getvalue().encode("cp1252", errors="replace"), "acled"):
        if isinstance(item, ParsedRow):
            names = [s.evidence.text for s in getattr(item.event, "attributions", ()) if s.evidence]
            assert not {"NA", "N/A", "NULL", "nan"} & set(names) and item.event.target not in ("NA", "N/A", "NULL", "nan")
            assert all(line.split(": ", 1)[1] not in ("NA", "N/A", "NULL", "nan") for line in item.document.text.splitlines()[1:])
