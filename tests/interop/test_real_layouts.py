"""Real dataset layouts: ACLED current (R-style NA) / legacy 2016 (cp1252) / API JSON, UCDP GED 19.1 / HDX / API JSON, GDELT FIPS."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from tripwire.errors import ParseError, UnsupportedFormat
from tripwire.interop import BadRow, ParsedRow, gdelt, import_file, iter_events, sniff_format
from tripwire.interop.common import parse_count
from tripwire.model import Action, Incident
from tripwire.store import Store

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()


def _by_line(path: Path, **kw: object) -> dict[int, ParsedRow | BadRow]:
    return {item.line: item for item in iter_events(path, **kw, kb=KB)}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("acled_benin_2022_r.csv", "acled"), ("acled_legacy_2016.csv", "acled"), ("acled_api.json", "acled"), ("ucdp_ged_191.csv", "ucdp"),
     ("ucdp_hdx_irq.csv", "ucdp"), ("ucdp_api.json", "ucdp"), ("gdelt_fips.export.CSV", "gdelt")],
)
def test_every_real_layout_is_recognised(fixtures: Path, name: str, fmt: str) -> None:
    assert sniff_format(fixtures / name) == fmt


# file, line (record number for JSON), event id, class, attack type or action kind, date, ISO2, killed, alleged actors with hedges
EXPECTED = [
    ("acled_benin_2022_r.csv", 2, "acled-ben1001", Incident, "armed assault", dt.date(2022, 12, 28), "BJ", 2,
     [("jnim", ("possibly",)), ("isgs", ("possibly",))]),
    ("acled_benin_2022_r.csv", 3, "acled-ben1002", Incident, "armed clash", dt.date(2023, 1, 3), "BJ", 4, [("benin", ())]),
    ("acled_benin_2022_r.csv", 4, "acled-ben1003", Action, "protest", dt.date(2023, 1, 15), "BJ", 0, None),
    ("acled_benin_2022_r.csv", 5, "acled-nig2001", Incident, "bombing", dt.date(2023, 2, 7), "NG", 3, [("iswap", ())]),
    ("acled_legacy_2016.csv", 2, "acled-som1201", Incident, "armed clash", dt.date(2016, 1, 4), "SO", 5, [("al-shabaab", ())]),
    ("acled_legacy_2016.csv", 3, "acled-som1202", Incident, "bombing", dt.date(2016, 1, 15), "SO", 9, [("al-shabaab", ())]),
    ("acled_legacy_2016.csv", 4, "acled-alg301", Action, "protest", dt.date(2016, 2, 20), "DZ", 0, None),
    ("acled_legacy_2016.csv", 5, "acled-nig4401", Incident, "armed clash", dt.date(2016, 3, 31), "NG", 12, [("nigeria", ())]),
    ("acled_legacy_2016.csv", 6, "acled-nig4402", Action, "other", dt.date(2016, 4, 2), "NG", 0, None),
    ("acled_legacy_2016.csv", 7, "acled-nig4403", Incident, "armed assault", dt.date(2016, 4, 5), "NG", 7, [("boko-haram", ())]),
    ("acled_api.json", 1, "acled-ben1002", Incident, "armed clash", dt.date(2023, 1, 3), "BJ", 4, [("benin", ())]),
    ("acled_api.json", 2, "acled-tog300", Incident, "bombing", dt.date(2023, 2, 11), "TG", 2, [("unknown", ())]),
    ("ucdp_ged_191.csv", 2, "ucdp-310001", Incident, "armed clash", dt.date(2018, 8, 10), "AF", 35,
     [("afghanistan", ("party to the clash",)), ("taliban", ("party to the clash",))]),
    ("ucdp_ged_191.csv", 3, "ucdp-310002", Incident, "armed assault", dt.date(2018, 3, 1), "SO", 6, [("al-shabaab", ())]),
    ("ucdp_ged_191.csv", 4, "ucdp-310003", Incident, "armed clash", dt.date(2018, 5, 1), "NG", 10,
     [("isis", ("party to the clash",)), ("boko-haram", ("party to the clash",))]),
    ("ucdp_ged_191.csv", 5, "ucdp-310004", Incident, "armed clash", dt.date(2018, 6, 13), "YE", 18,
     [("yemen", ("party to the clash",)), ("houthis", ("party to the clash",))]),
    ("ucdp_hdx_irq.csv", 3, "ucdp-420010", Incident, "armed clash", dt.date(2017, 6, 20), "IQ", 40,
     [("iraq", ("party to the clash",)), ("isis", ("party to the clash",))]),
    ("ucdp_hdx_irq.csv", 4, "ucdp-420011", Incident, "armed assault", dt.date(2017, 7, 2), "IQ", 5, [("isis", ())]),
    ("ucdp_api.json", 1, "ucdp-310001", Incident, "armed clash", dt.date(2018, 8, 10), "AF", 35,
     [("afghanistan", ("party to the clash",)), ("taliban", ("party to the clash",))]),
    ("ucdp_api.json", 2, "ucdp-330500", Incident, "armed clash", dt.date(2019, 12, 24), "SY", 7,
     [("syria", ("party to the clash",)), ("unknown", ("party to the clash",))]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "line", "event_id", "cls", "what", "date", "country", "killed", "actors"), EXPECTED)
def test_real_rows_become_events(fixtures: Path, name: str, line: int, event_id: str, cls: type, what: str, date: dt.date,
                                 country: str, killed: int, actors: list[tuple[str, tuple[str, ...]]] | None) -> None:
    item = _by_line(fixtures / name)[line]
    assert isinstance(item, ParsedRow)
    event = item.event
    assert isinstance(event, cls) and event.id == event_id and event.date == date and event.place.country == country
    assert (event.attack_type if isinstance(event, Incident) else event.kind) == what
    assert sum(c.count for c in event.casualties if c.status == "killed") == killed
    if actors is not None:
        assert [(a.actor, a.hedges) for a in event.attributions] == actors
        for statement in event.attributions:  # each statement's evidence is the dataset's own wording, inside the row document
            assert statement.evidence is not None
            assert item.document.text[statement.evidence.start : statement.evidence.end] == statement.evidence.text


@pytest.mark.parametrize("name", ["acled_benin_2022_r.csv", "acled_legacy_2016.csv", "acled_api.json", "ucdp_ged_191.csv", "ucdp_api.json"])
def test_na_and_empty_never_become_names(fixtures: Path, name: str) -> None:
    for item in iter_events(fixtures / name, kb=KB):
        if not isinstance(item, ParsedRow):
            continue
        event = item.event
        texts = [s.evidence.text for s in getattr(event, "attributions", ()) if s.evidence]
        assert "NA" not in texts and "" not in texts
        assert event.target not in ("NA", "")
        assert "\nadmin3: NA" not in item.document.text and "\ntags: NA" not in item.document.text


def test_r_style_na_rows_report_what_is_missing(fixtures: Path) -> None:
    item = _by_line(fixtures / "acled_benin_2022_r.csv")[6]
    assert isinstance(item, BadRow) and item.message == "column 'event_date' is empty"


def test_alternative_perpetrators_are_split_not_guessed(fixtures: Path) -> None:
    event = _by_line(fixtures / "acled_benin_2022_r.csv")[2].event
    assert {a.actor for a in event.attributions} == {"jnim", "isgs"} and "isis" not in {a.actor for a in event.attributions}
    assert [a.evidence.text for a in event.attributions] == ["JNIM: Group for Support of Islam and Muslims", "Islamic State (Sahel)"]


def test_legacy_file_decodes_windows_1252_quotes(fixtures: Path) -> None:
    rows = _by_line(fixtures / "acled_legacy_2016.csv")
    assert all(isinstance(r, ParsedRow) for r in rows.values()) and len(rows) == 6
    assert rows[2].recoded and "town\u2019s port" in rows[2].event.summary
    assert not rows[4].recoded


def test_hdx_tag_row_is_skipped_not_bad(fixtures: Path) -> None:
    items = list(iter_events(fixtures / "ucdp_hdx_irq.csv", kb=KB))
    assert [i.line for i in items] == [3, 4] and all(isinstance(i, ParsedRow) for i in items)


def test_json_record_that_is_not_an_object_is_a_bad_record(fixtures: Path) -> None:
    item = _by_line(fixtures / "acled_api.json")[3]
    assert isinstance(item, BadRow) and "not an object" in item.message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [({"status": 403, "success": False, "error": {"message": "Access denied"}}, "API error"), ({"rows": 3}, "without a list"),
     ([{"event_id_cnty": "X1", "event_date": "2020-01-01"}], "lacks event_type"), ("[1, 2", "not valid JSON")],
)
def test_unusable_json_raises_clear_errors(tmp_path: Path, content: object, fragment: str) -> None:
    path = tmp_path / "api.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    with pytest.raises(Exception, match=fragment):
        list(iter_events(path, format="acled", kb=KB))


def test_gdelt_json_is_refused(fixtures: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="tab-separated"):
        list(iter_events(fixtures / "acled_api.json", format="gdelt", kb=KB))


def test_every_gdelt_fips_code_resolves(fixtures: Path) -> None:
    items = list(iter_events(fixtures / "gdelt_fips.export.CSV", kb=KB))
    assert len(items) == 30 and all(isinstance(i, ParsedRow) for i in items)
    with (fixtures / "gdelt_fips.export.CSV").open(encoding="utf-8", newline="") as handle:
        fips = [row[gdelt.COLUMNS.index("ActionGeo_CountryCode")] for row in csv.reader(handle, delimiter="\t")]
    resolved = {code: item.event.place.country for code, item in zip(fips, items)}
    assert None not in resolved.values(), {c for c, iso in resolved.items() if iso is None}
    assert resolved["RS"] == "RU" and resolved["NI"] == "NG" and resolved["RI"] == "RS" and resolved["CH"] == "CN" and resolved["GZ"] == "PS"


@pytest.mark.parametrize(("root_only", "min_sources", "kept"), [(False, 0, 30), (True, 0, 20), (False, 3, 14), (True, 3, 9), (False, 5, 0)])
def test_gdelt_root_event_and_source_filters(fixtures: Path, tmp_path: Path, root_only: bool, min_sources: int, kept: int) -> None:
    path = fixtures / "gdelt_fips.export.CSV"
    items = list(iter_events(path, root_only=root_only, min_sources=min_sources, kb=KB))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    root, sources = gdelt.COLUMNS.index("IsRootEvent"), gdelt.COLUMNS.index("NumSources")
    expected = [r for r in rows if (not root_only or r[root] == "1") and int(r[sources]) >= min_sources]
    assert len(items) == len(expected) == kept
    with Store(f"sqlite:///{tmp_path / 'f.db'}") as store:
        report = import_file(store, path, root_only=root_only, min_sources=min_sources, kb=KB)
    assert len(report.added) == kept and report.filtered == 30 - kept and report.rows == 30


def test_filters_apply_only_to_gdelt(fixtures: Path) -> None:
    with pytest.raises(UnsupportedFormat, match="filter only GDELT"):
        list(iter_events(fixtures / "acled_iraq.csv", root_only=True, kb=KB))


def _pandas_style(source: Path, target: Path, *, encoding: str = "utf-8") -> None:
    """Rewrite a CSV the way ``pd.read_csv(...).to_csv(index=False)`` does: columns reordered, NA emptied, ints as floats."""
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = sorted(rows[0], reverse=True)
    with target.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            cells = []
            for col in columns:
                value = "" if row[col] == "NA" else row[col]
                cells.append(f"{value}.0" if col in ("fatalities", "iso", "inter1", "inter2", "id", "best", "country_id") and value.isdigit() else value)
            writer.writerow(cells)


@pytest.mark.parametrize(("name", "encoding"), [("acled_benin_2022_r.csv", "utf-8"), ("acled_benin_2022_r.csv", "cp1252"), ("ucdp_ged_191.csv", "utf-8")])
def test_a_pandas_round_trip_of_the_same_file_is_not_stored_twice(fixtures: Path, tmp_path: Path, name: str, encoding: str) -> None:
    copy = tmp_path / f"roundtrip-{name}"
    _pandas_style(fixtures / name, copy, encoding=encoding)
    with Store(f"sqlite:///{tmp_path / 'dedup.db'}") as store:
        first = import_file(store, fixtures / name, kb=KB)
        documents = store.count_documents()
        again = import_file(store, copy, kb=KB)
        assert again.added == () and set(again.duplicates) == set(first.added)
        assert store.count_documents() == documents and store.count_incidents() + len(store.list_actions()) == len(first.added)


def test_api_json_and_csv_of_the_same_events_are_stored_once(fixtures: Path, tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'api.db'}") as store:
        import_file(store, fixtures / "acled_benin_2022_r.csv", kb=KB)
        report = import_file(store, fixtures / "acled_api.json", kb=KB)
        assert report.added == ("acled-tog300",) and report.duplicates == ("acled-ben1002",) and len(report.bad_rows) == 1
        import_file(store, fixtures / "ucdp_ged_191.csv", kb=KB)
        report = import_file(store, fixtures / "ucdp_api.json", kb=KB)
        assert report.added == ("ucdp-330500",) and report.duplicates == ("ucdp-310001",)
        assert store.get_incident("ucdp-330500").place.country == "SY"


def test_legacy_and_recoded_counts_reach_the_report(fixtures: Path, tmp_path: Path) -> None:
    with Store(f"sqlite:///{tmp_path / 'legacy.db'}") as store:
        report = import_file(store, fixtures / "acled_legacy_2016.csv", kb=KB)
        assert report.incidents == 4 and report.actions == 2 and report.recoded == 2 and report.bad_rows == ()
        assert {a.kind for a in store.list_actions()} == {"protest", "other"}


@pytest.mark.parametrize("text", ["inf", "-inf", "1e400", "nan", "2.5", "-1", "20000000"])
def test_implausible_counts_are_parse_errors(text: str) -> None:
    with pytest.raises(ParseError, match="fatalities"):
        parse_count(text, column="fatalities")
