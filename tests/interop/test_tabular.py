"""CSV / Parquet / GeoJSON exports: column order, content, and CSV export -> import round trips."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.errors import ParseError
from tripwire.interop import (
    ACTION_COLUMNS,
    CLAIM_COLUMNS,
    INCIDENT_COLUMNS,
    POSTERIOR_COLUMNS,
    export_events,
    read_incidents_csv,
    to_geojson,
)
from tripwire.knowledge import KnowledgeBase
from tripwire.model import (
    Action,
    AttributionKind,
    AttributionResult,
    AttributionStatement,
    Casualty,
    Evaluation,
    Incident,
    Place,
    RedLineStatus,
    Source,
    Span,
)

PROTEST = Action(id="2019-12-31-embassy-protest", kind="protest", actor="kataib-hezbollah", date=dt.date(2019, 12, 31),
                 place=Place(name="Green Zone", country="IQ"), caused_by=("2019-12-29-us-strikes",))


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_csv_export_has_stable_columns_and_companions(tmp_path: Path, k1_incident: Incident, k1_result: AttributionResult) -> None:
    written = export_events(tmp_path / "events.csv", format="csv", incidents=[k1_incident], actions=[PROTEST], results={k1_incident.id: k1_result})
    assert [p.name for p in written] == ["events.csv", "events.claims.csv", "events.actions.csv", "events.posteriors.csv"]
    assert tuple(_header(written[0])) == INCIDENT_COLUMNS
    assert tuple(_header(written[1])) == CLAIM_COLUMNS and tuple(_header(written[2])) == ACTION_COLUMNS
    with written[0].open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["perpetrator"] == "kataib-hezbollah" and float(row["perpetrator_probability"]) == pytest.approx(0.8)
    assert row["killed"] == "1" and row["injured"] == "4" and row["documents"] == "doc-a|doc-b"


def test_csv_round_trip_restores_incidents(tmp_path: Path, k1_incident: Incident) -> None:
    out = export_events(tmp_path / "k1.csv", format="csv", incidents=[k1_incident])
    (back,) = read_incidents_csv(out[0], out[1])
    assert back == k1_incident


FORMULAS = ["=HYPERLINK(\"http://evil.example/\",\"click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tindent", "\rreturn", "'quoted", "''=x"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_restored(tmp_path: Path, k1_incident: Incident) -> None:
    hostile = [
        k1_incident.model_copy(update={"id": f"formula-{i}", "summary": f, "target": f, "attack_type": f, "place": Place(name=f, country="IQ", lat=35.5, lon=-44.25)})
        for i, f in enumerate(FORMULAS)
    ]
    out = export_events(tmp_path / "hostile.csv", format="csv", incidents=hostile)
    for path in out:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in list(csv.reader(handle))[1:]:
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                    assert not cell.startswith("-") or cell == "-44.25", (path.name, cell)
    assert read_incidents_csv(out[0], out[1]) == hostile


def test_parquet_export_matches_schema(tmp_path: Path, k1_incident: Incident, k1_result: AttributionResult) -> None:
    written = export_events(tmp_path / "events.parquet", format="parquet", incidents=[k1_incident], actions=[PROTEST], results={k1_incident.id: k1_result})
    table = pq.read_table(written[0])
    assert tuple(table.column_names) == INCIDENT_COLUMNS
    assert table.column("date").to_pylist() == [dt.date(2019, 12, 27)] and table.column("killed").to_pylist() == [1]
    claims = pq.read_table(written[1])
    assert claims.column("kind").to_pylist() == ["alleged", "disputed", "denied"]
    assert pq.read_table(written[2]).column("caused_by").to_pylist() == ["2019-12-29-us-strikes"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_exports_carry_every_hypothesis_and_the_redline_status(tmp_path: Path, fmt: str, k1_incident: Incident, k1_result: AttributionResult) -> None:
    ev = Evaluation(rule_id="us-killed", incident_id=k1_incident.id, probability=0.7, standard="preponderance", threshold=0.5,
                    status=RedLineStatus.TRIPPED, words="likely", evaluated_at=dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc))
    written = export_events(tmp_path / f"events.{fmt}", format=fmt, incidents=[k1_incident], results={k1_incident.id: k1_result}, evaluations=[ev])
    assert written[3].name == f"events.posteriors.{fmt}"
    if fmt == "csv":
        with written[3].open(encoding="utf-8", newline="") as handle:
            posteriors = list(csv.DictReader(handle))
        with written[0].open(encoding="utf-8", newline="") as handle:
            (incident_row,) = list(csv.DictReader(handle))
    else:
        posteriors = pq.read_table(written[3]).to_pylist()
        (incident_row,) = pq.read_table(written[0]).to_pylist()
    assert tuple(posteriors[0]) == POSTERIOR_COLUMNS
    assert [(p["perpetrator"], p["relation"]) for p in posteriors] == [
        ("kataib-hezbollah", "supported"), ("isis", "independent"), ("kataib-hezbollah", "ordered"), ("kataib-hezbollah", "independent")]
    assert float(posteriors[1]["lower"]) == 0.1 and posteriors[0]["words"] == "likely"  # 0.55: ICD 203 likely is 55-80%
    assert incident_row["redline_status"] == "tripped" and int(incident_row["us_killed"]) == 1 and int(incident_row["us_injured"]) == 4


def test_an_incidents_csv_from_before_the_us_and_status_columns_reads_back(tmp_path: Path, k1_incident: Incident) -> None:
    out = export_events(tmp_path / "k1.csv", format="csv", incidents=[k1_incident])
    with out[0].open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    keep = [n for n, c in enumerate(rows[0]) if c not in ("us_killed", "us_injured", "redline_status")]
    old = tmp_path / "old.csv"
    with old.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[r[n] for n in keep] for r in rows])
    (back,) = read_incidents_csv(old, out[1])
    assert back == k1_incident


def test_geojson_points_are_lon_lat_and_missing_coordinates_kept(k1_incident: Incident) -> None:
    fc = to_geojson([k1_incident], [PROTEST])
    assert fc["type"] == "FeatureCollection" and [f["properties"]["event"] for f in fc["features"]] == ["incident", "action"]
    assert fc["features"][0]["geometry"] == {"type": "Point", "coordinates": [44.285, 35.517]}
    assert fc["features"][1]["geometry"] is None and fc["features"][1]["properties"]["date"] == "2019-12-31"
    json.dumps(fc)  # plain JSON all the way down


def test_geojson_and_stix_files_are_written(tmp_path: Path, k1_incident: Incident) -> None:
    (geo,) = export_events(tmp_path / "map.geojson", format="geojson", incidents=[k1_incident], actions=[PROTEST])
    assert len(json.loads(geo.read_text(encoding="utf-8"))["features"]) == 2
    (stix,) = export_events(tmp_path / "bundle.json", format="stix", incidents=[k1_incident], kb=KnowledgeBase.load())
    assert json.loads(stix.read_text(encoding="utf-8"))["type"] == "bundle"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("id,date\nx,2020-01-01\n", "lacks"), (",".join(INCIDENT_COLUMNS) + "\n" + "x,2020-13-01" + "," * (len(INCIDENT_COLUMNS) - 2) + "\n", "line 2")],
)
def test_reading_a_foreign_csv_is_a_parse_error(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "foreign.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError, match=fragment):
        read_incidents_csv(path)


# -- property: export -> import keeps every core field -----------------------------------

text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="|"), min_size=1, max_size=20)
opt_text = st.none() | text
slug = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
casualty = st.builds(Casualty, status=st.sampled_from(["killed", "injured"]), count=st.integers(0, 500),
                     nationality=st.none() | st.sampled_from(["US", "IQ", "GB"]), category=st.none() | st.sampled_from(["civilian", "contractor"]),
                     approximate=st.booleans())  # fmt: skip
source = st.builds(Source, speaker=opt_text, speaker_id=st.none() | slug, role=opt_text, outlet=opt_text, outlet_id=st.none() | slug,
                   anonymous=st.booleans(), via=opt_text)  # fmt: skip
statement = st.builds(
    AttributionStatement, actor=slug, kind=st.sampled_from(list(AttributionKind)), hedges=st.lists(text, max_size=2).map(tuple),
    sponsor=st.none() | slug, relation=st.none() | st.sampled_from(["supported", "ordered"]), asserted_by=source, comparative=opt_text,
    evidence=st.none() | st.builds(Span, document_id=slug, start=st.integers(0, 50), end=st.integers(50, 99), text=text),
)  # fmt: skip
place = st.builds(Place, name=text, country=st.none() | st.sampled_from(["IQ", "IR", "US"]),
                  lat=st.none() | st.floats(-90, 90, allow_nan=False), lon=st.none() | st.floats(-180, 180, allow_nan=False), gazetteer_id=st.none() | slug)  # fmt: skip
incident = st.builds(
    Incident, id=slug, date=st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)), date_text=opt_text,
    date_precision=st.none() | st.sampled_from(["day", "month", "year"]), place=st.none() | place, attack_type=opt_text, weapon=opt_text,
    target=opt_text, casualties=st.lists(casualty, max_size=3).map(tuple), attributions=st.lists(statement, max_size=3).map(tuple),
    documents=st.lists(slug, max_size=3).map(tuple), summary=opt_text,
)  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(incident, max_size=4, unique_by=lambda i: i.id))
def test_csv_export_import_round_trips_core_fields(tmp_path: Path, incidents: list[Incident]) -> None:
    out = export_events(tmp_path / "prop.csv", format="csv", incidents=incidents)
    assert read_incidents_csv(out[0], out[1]) == incidents
