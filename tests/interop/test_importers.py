"""ACLED, UCDP GED and GDELT 2.0 rows -> documents and events; bad rows and bad files."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
from pathlib import Path

import pytest

from tripwire.errors import DecodeError, ParseError, UnsupportedFormat
from tripwire.interop import BadRow, ParsedRow, acled, countries, gdelt, iter_events, sniff_format, ucdp
from tripwire.interop.common import resolve_actor
from tripwire.model import Action, AttributionKind, Incident

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()


def _rows(path: Path, **kw: object) -> list[ParsedRow | BadRow]:
    return list(iter_events(path, **kw, kb=KB))


def _by_line(path: Path) -> dict[int, ParsedRow | BadRow]:
    return {item.line: item for item in _rows(path)}


@pytest.mark.parametrize(("name", "fmt"), [("acled_iraq.csv", "acled"), ("ucdp_ged.csv", "ucdp"), ("gdelt_events.export.CSV", "gdelt")])
def test_sniff_format_recognises_each_dataset(fixtures: Path, name: str, fmt: str) -> None:
    assert sniff_format(fixtures / name) == fmt


def test_gdelt_layout_has_61_columns_in_documented_order() -> None:
    assert len(gdelt.COLUMNS) == 61
    assert gdelt.COLUMNS.index("EventCode") == 26 and gdelt.COLUMNS.index("ActionGeo_CountryCode") == 53
    assert gdelt.COLUMNS[-2:] == ("DATEADDED", "SOURCEURL") and gdelt.COLUMNS.index("ActionGeo_Lat") == 56


# file, line, class, id, attack type or action kind, date, ISO2, lat, killed, alleged actors
EXPECTED = [
    ("acled_iraq.csv", 2, Incident, "acled-irq50001", "rocket attack", dt.date(2019, 12, 27), "IQ", 35.517, 1, ["unknown"]),
    ("acled_iraq.csv", 3, Action, "acled-irq50002", "airstrike", dt.date(2019, 12, 29), "IQ", 34.373, 25, []),
    ("acled_iraq.csv", 4, Action, "acled-irq50003", "protest", dt.date(2019, 12, 31), "IQ", 33.301, 0, []),
    ("acled_iraq.csv", 5, Incident, "acled-irq50004", "rocket attack", dt.date(2020, 1, 8), "IQ", 33.7856, 0, ["iran", "irgc"]),
    ("acled_iraq.csv", 6, Incident, "acled-irq50005", "rocket attack", dt.date(2020, 3, 11), "IQ", 33.524, 3, ["unknown"]),
    ("acled_iraq.csv", 9, Action, "acled-irq50008", "protest", dt.date(2020, 1, 24), "IQ", 33.3152, 0, []),
    ("ucdp_ged.csv", 2, Incident, "ucdp-900001", "armed assault", dt.date(2019, 11, 20), "IQ", 33.6736, 4, ["isis"]),
    ("ucdp_ged.csv", 3, Incident, "ucdp-900002", "armed clash", dt.date(2020, 2, 10), "IQ", 35.4681, 8, ["iraq", "isis"]),
    ("gdelt_events.export.CSV", 1, Incident, "gdelt-897000001", "rocket attack", dt.date(2019, 12, 27), "IQ", 35.4681, 0, ["unknown"]),
    ("gdelt_events.export.CSV", 2, Action, "gdelt-897000002", "airstrike", dt.date(2019, 12, 29), "IQ", 34.373, 0, []),
    ("gdelt_events.export.CSV", 3, Action, "gdelt-897000003", "protest", dt.date(2019, 12, 31), "IQ", 33.3406, 0, []),
    ("gdelt_events.export.CSV", 4, Action, "gdelt-897000004", "statement", dt.date(2020, 1, 8), "IR", 32.0, 0, []),
    ("gdelt_events.export.CSV", 6, Incident, "gdelt-897000006", "armed clash", dt.date(2020, 3, 13), "PS", 31.5, 0, ["israel"]),
]


@pytest.mark.parametrize(("name", "line", "cls", "event_id", "what", "date", "country", "lat", "killed", "actors"), EXPECTED)
def test_rows_become_events(fixtures: Path, name: str, line: int, cls: type, event_id: str, what: str, date: dt.date,
                            country: str, lat: float, killed: int, actors: list[str]) -> None:
    item = _by_line(fixtures / name)[line]
    assert isinstance(item, ParsedRow)
    event = item.event
    assert isinstance(event, cls) and event.id == event_id and event.date == date
    assert (event.attack_type if isinstance(event, Incident) else event.kind) == what
    assert event.place is not None and event.place.country == country and event.place.lat == pytest.approx(lat)
    assert sum(c.count for c in event.casualties if c.status == "killed") == killed
    assert all(c.nationality is None for c in event.casualties)
    if isinstance(event, Incident):
        assert [a.actor for a in event.attributions] == actors
        assert all(a.kind is AttributionKind.ALLEGED and a.asserted_by.speaker is None for a in event.attributions)
    assert event.documents == (item.document.id,)
    assert item.document.kind == "dataset-row" and item.document.location == f"{fixtures / name}#{item.key}"


@pytest.mark.parametrize(
    ("name", "line", "fragment"),
    [
        ("acled_iraq.csv", 7, "'2020-02-30' is not a date"),
        ("acled_iraq.csv", 8, "latitude"),
        ("acled_iraq.csv", 10, "has 4 fields where 31 were expected"),
        ("ucdp_ged.csv", 4, "date_start"),
        ("ucdp_ged.csv", 5, "'best'"),
        ("gdelt_events.export.CSV", 5, "SQLDATE"),
        ("gdelt_events.export.CSV", 7, "has 3 fields where 61 were expected"),
    ],
)
def test_bad_rows_are_reported_with_line_numbers(fixtures: Path, name: str, line: int, fragment: str) -> None:
    item = _by_line(fixtures / name)[line]
    assert isinstance(item, BadRow) and fragment in item.message


def test_attribution_keeps_the_dataset_wording_as_evidence(fixtures: Path) -> None:
    incident = _by_line(fixtures / "acled_iraq.csv")[2].event
    (statement,) = incident.attributions
    assert statement.asserted_by.outlet == "ACLED"
    assert statement.evidence is not None and statement.evidence.text == "Unidentified Armed Group (Iraq)"
    doc = _by_line(fixtures / "acled_iraq.csv")[2].document
    assert doc.text[statement.evidence.start : statement.evidence.end] == statement.evidence.text


def test_ucdp_clash_sides_are_hedged_and_estimates_marked_approximate(fixtures: Path) -> None:
    rows = _by_line(fixtures / "ucdp_ged.csv")
    one_sided, clash = rows[2].event, rows[3].event
    assert one_sided.target == "Civilians" and one_sided.casualties[0].approximate  # low 4, high 5
    assert clash.target is None and all(a.hedges == ("party to the clash",) for a in clash.attributions)
    assert clash.date_precision == "month" and not clash.casualties[0].approximate


def test_same_row_twice_gives_the_same_document(fixtures: Path) -> None:
    rows = _by_line(fixtures / "acled_iraq.csv")
    assert rows[2].document.id == rows[11].document.id and rows[2].event == rows[11].event


def test_document_hash_ignores_column_order_and_file_location(fixtures: Path, tmp_path: Path) -> None:
    with (fixtures / "ucdp_ged.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    order = list(reversed(range(len(table[0]))))
    moved = tmp_path / "reordered.csv"
    with moved.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[row[i] for i in order] for row in table])
    before = {i.key: i.document.id for i in _rows(fixtures / "ucdp_ged.csv") if isinstance(i, ParsedRow)}
    after = {i.key: i.document.id for i in _rows(moved) if isinstance(i, ParsedRow)}
    assert before == after and len(before) == 2


def test_iter_events_streams(fixtures: Path) -> None:
    stream = iter_events(fixtures / "acled_iraq.csv", kb=KB)
    assert inspect.isgenerator(stream)
    assert next(stream).line == 2
    stream.close()


def test_a_row_in_windows_1252_is_decoded_and_bytes_that_fit_no_encoding_are_one_bad_row(fixtures: Path, tmp_path: Path) -> None:
    data = (fixtures / "acled_iraq.csv").read_bytes().split(b"\n")
    data[2] = data[2].replace(b"Al-Qaim", "Al-Qa\u00efm".encode("cp1252"))
    data[3] = data[3].replace(b"Green Zone", b"Green\x81Zone")  # 0x81 is undefined in Windows-1252
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(data))
    rows = _by_line(path)
    assert isinstance(rows[3], ParsedRow) and rows[3].recoded and rows[3].event.place.name == "Al-Qa\u00efm"
    assert isinstance(rows[4], BadRow) and "neither UTF-8 nor Windows-1252" in rows[4].message
    assert isinstance(rows[2], ParsedRow) and not rows[2].recoded and isinstance(rows[5], ParsedRow)


@pytest.mark.parametrize(
    ("content", "error", "fragment"),
    [
        (b"", ParseError, "empty"),
        (b"   \n\n", ParseError, "empty"),
        (b"PK\x03\x04rest-of-a-zip", UnsupportedFormat, "archive"),
        ("event_id_cnty,event_date\n".encode("utf-16"), DecodeError, "UTF-16"),
        (b"\x00\x01\x02binary\x00", UnsupportedFormat, "binary"),
        (b"name,age\nalice,3\n", UnsupportedFormat, "cannot tell"),
        (b"\t".join([b"1"] * 57) + b"\n", UnsupportedFormat, "GDELT 1.0"),
        (b"\t".join([b"1"] * 30) + b"\n", UnsupportedFormat, "tab-separated"),
    ],
)
def test_unusable_files_raise_clear_errors(tmp_path: Path, content: bytes, error: type, fragment: str) -> None:
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(error, match=fragment):
        _rows(path)


def test_forcing_the_wrong_format_names_missing_columns(fixtures: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="lacks event_id_cnty") as info:
        _rows(fixtures / "ucdp_ged.csv", format="acled")
    assert "event_date" in info.value.detail["missing"]
    with pytest.raises(UnsupportedFormat, match="61"):
        _rows(fixtures / "acled_iraq.csv", format="gdelt")
    with pytest.raises(UnsupportedFormat, match="choose one of"):
        _rows(fixtures / "acled_iraq.csv", format="cameo")


def test_missing_file_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read"):
        sniff_format(tmp_path / "nope.csv")
    with pytest.raises(ParseError, match="cannot read"):
        _rows(tmp_path / "nope.csv", format="acled")


def test_header_only_file_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(",".join(acled.COLUMNS) + "\n", encoding="utf-8")
    assert _rows(path) == []


@pytest.mark.parametrize(
    ("value", "iso2"),
    [("368", "IQ"), ("IRQ", "IQ"), ("Iraq", "IQ"), ("Iran (Islamic Republic of)", "IR"), ("48", "BH"), ("United States of America", "US"),
     ("GBR", "GB"), ("Yemen (North Yemen)", "YE"), ("Türkiye", "TR"), ("Atlantis", None), ("", None), (None, None)],
)
def test_country_codes_and_names_to_iso2(value: str | None, iso2: str | None) -> None:
    assert countries(kb=KB).iso2(value) == iso2


@pytest.mark.parametrize(("fips", "iso2"), [("IZ", "IQ"), ("IS", "IL"), ("UK", "GB"), ("GZ", "PS"), ("WE", "PS"), ("KU", "KW"), ("MU", "OM"), ("TU", "TR"), ("XX", None)])
def test_fips_codes_to_iso2(fips: str, iso2: str | None) -> None:
    assert countries(kb=KB).from_fips(fips) == iso2


@pytest.mark.parametrize(
    ("name", "actor"),
    [("Kataib Hezbollah", "kataib-hezbollah"), ("Islamic State (Iraq)", "isis"), ("IS", "isis"), ("Military Forces of Iran (1989-)", "iran"),
     ("Military Forces of the United States (2017-2021)", "usa"), ("Unidentified Armed Group (Iraq)", "unknown"), ("Protesters (Iraq)", "unknown"),
     ("UNITED STATES", "usa"), ("Government of Iraq", "iraq"), ("(Iraq)", "unknown")],
)
def test_dataset_actor_names_resolve_against_the_knowledge_base(kb, name: str, actor: str) -> None:  # type: ignore[no-untyped-def]
    assert resolve_actor(kb, name) == actor


def test_ucdp_required_columns_are_in_the_layout() -> None:
    assert set(ucdp.REQUIRED) <= set(ucdp.COLUMNS) and set(acled.REQUIRED) <= set(acled.COLUMNS)
