"""Importing into a real SQLite store, exporting from it, and the `tripwire import/export` commands."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tripwire.cli import app
from tripwire.errors import StoreError
from tripwire.interop import ParsedRow, import_file, iter_events, read_incidents_csv
from tripwire.store import Store

from tripwire.knowledge import KnowledgeBase  # noqa: E402

KB = KnowledgeBase.load()


@pytest.fixture()
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Store(f"sqlite:///{tmp_path / 'interop.db'}") as s:
        yield s


def test_import_stores_documents_and_events_once(store: Store, fixtures: Path) -> None:
    report = import_file(store, fixtures / "acled_iraq.csv", kb=KB)
    assert report.format == "acled" and report.incidents == 3 and report.actions == 3
    assert report.duplicates == ("acled-irq50001",)  # the row exported twice in the file
    assert [b.line for b in report.bad_rows] == [7, 8, 10] and report.rows == 10
    parsed = {i.event.id: i for i in iter_events(fixtures / "acled_iraq.csv", kb=KB) if isinstance(i, ParsedRow)}
    assert store.get_incident("acled-irq50004") == parsed["acled-irq50004"].event
    doc = store.get_document(parsed["acled-irq50004"].document.id)
    assert doc.kind == "dataset-row" and doc.outlet == "ACLED"
    assert store.get_incident("acled-irq50004").documents == (doc.id,)
    assert {a.id for a in store.list_actions()} == {"acled-irq50002", "acled-irq50003", "acled-irq50008"}

    again = import_file(store, fixtures / "acled_iraq.csv", kb=KB)
    assert again.added == () and len(again.duplicates) == 7 and store.count_documents() == 6


def test_same_rows_under_another_path_are_duplicates(store: Store, fixtures: Path, tmp_path: Path) -> None:
    import_file(store, fixtures / "ucdp_ged.csv", kb=KB)
    copy = tmp_path / "copy-of-ged.csv"
    shutil.copy(fixtures / "ucdp_ged.csv", copy)
    report = import_file(store, copy, kb=KB)
    assert report.added == () and report.duplicates == ("ucdp-900001", "ucdp-900002")


def test_load_events_reads_everything_back(store: Store, fixtures: Path) -> None:
    for name in ("acled_iraq.csv", "ucdp_ged.csv", "gdelt_events.export.CSV"):
        import_file(store, fixtures / name, kb=KB)
    incidents, actions, results = list(store.iter_incidents()), list(store.iter_actions()), store.latest_attributions()
    assert len(incidents) == 3 + 2 + 2 and len(actions) == 3 + 3 and results == {}


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_cli_import_then_export_every_format(tmp_path: Path, fixtures: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    code, out = _invoke("import", str(fixtures / "gdelt_events.export.CSV"), "--db", db)
    assert code == 0, out
    summary = json.loads(out)
    assert summary["format"] == "gdelt" and summary["added"] == 5 and summary["bad_rows"] == 2
    assert summary["bad_row_samples"][0]["line"] == 5
    code, out = _invoke("import", str(fixtures / "acled_iraq.csv"), "--dataset", "acled", "--db", db)
    assert code == 0 and json.loads(out)["incidents"] == 3
    for fmt, name in (("stix", "b.json"), ("geojson", "m.geojson"), ("csv", "t.csv"), ("parquet", "t.parquet")):
        code, out = _invoke("export", "--format", fmt, "--out", str(tmp_path / name), "--db", db)
        assert code == 0, out
        assert all(Path(p).exists() for p in json.loads(out)["written"])
    incidents = read_incidents_csv(tmp_path / "t.csv", tmp_path / "t.claims.csv")
    assert {i.id for i in incidents} == {"gdelt-897000001", "gdelt-897000006", "acled-irq50001", "acled-irq50004", "acled-irq50005"}
    features = json.loads((tmp_path / "m.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) == 5 + 6


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["import", "{fixtures}/ucdp_ged.csv", "--dataset", "acled"], "not a ACLED export"),
        (["import", "{tmp}/missing.csv"], "cannot read"),
        (["export", "--format", "kml", "--out", "{tmp}/x.kml"], "'kml' is not one of"),
        (["export", "--format", "csv", "--out", "{tmp}/no/such/dir/x.csv"], "does not exist"),
    ],
)
def test_cli_reports_bad_input_cleanly(tmp_path: Path, fixtures: Path, args: list[str], fragment: str) -> None:
    args = [a.format(fixtures=fixtures, tmp=tmp_path) for a in args]
    Store(f"sqlite:///{tmp_path / 'e.db'}").close()  # export reads an existing store (a missing one is refused, tests/cli/test_usability.py)
    code, out = _invoke(*args, "--db", f"sqlite:///{tmp_path / 'e.db'}")
    assert code == 2 and fragment in out and "Traceback" not in out


@pytest.mark.parametrize(("args", "added", "filtered"), [([], 30, 0), (["--root-only"], 20, 10), (["--min-sources", "3"], 14, 16),
                                                          (["--root-only", "--min-sources", "3", "--batch-size", "4"], 9, 21)])
def test_cli_gdelt_filters(tmp_path: Path, fixtures: Path, args: list[str], added: int, filtered: int) -> None:
    code, out = _invoke("import", str(fixtures / "gdelt_fips.export.CSV"), *args, "--db", f"sqlite:///{tmp_path / 'g.db'}")
    assert code == 0, out
    summary = json.loads(out)
    assert summary["added"] == added and summary["filtered"] == filtered and summary["bad_rows"] == 0


def test_cli_refuses_gdelt_filters_on_other_datasets(tmp_path: Path, fixtures: Path) -> None:
    code, out = _invoke("import", str(fixtures / "acled_iraq.csv"), "--root-only", "--db", f"sqlite:///{tmp_path / 'e.db'}")
    assert code == 2 and "filter only GDELT" in out and "Traceback" not in out


class FailingStore:
    """A store whose database refuses one row (the fifth event): every write that holds it fails whole, as a transaction would."""

    def __init__(self, store: Store, refused: str) -> None:
        self.store = store
        self.refused = refused
        self.calls = 0

    def add_dataset_rows(self, batch):  # type: ignore[no-untyped-def]
        self.calls += 1
        if any(event.id == self.refused for _doc, event in batch):
            raise StoreError(f"could not store {len(batch)} dataset rows: the database refused")
        return self.store.add_dataset_rows(batch)


def test_a_refused_row_is_a_bad_row_and_the_rest_of_its_batch_is_stored(store: Store, fixtures: Path) -> None:
    with Store("sqlite://") as reference:
        everything = import_file(reference, fixtures / "gdelt_fips.export.CSV", batch_size=4, kb=KB)
    refused = everything.added[4]
    failing = FailingStore(store, refused)
    report = import_file(failing, fixtures / "gdelt_fips.export.CSV", batch_size=4, kb=KB)
    (bad,) = [b for b in report.bad_rows if b not in everything.bad_rows]
    assert "refused" in bad.message and refused not in report.added
    assert len(report.added) == len(everything.added) - 1 == store.count_documents()
    # the second batch failed whole, then went row by row: one write per batch and one per row of the second
    assert failing.calls == -(-len(everything.added) // 4) + 4
    rerun = import_file(store, fixtures / "gdelt_fips.export.CSV", batch_size=4, kb=KB)  # the database takes it now
    assert rerun.added == (refused,) and store.count_documents() == len(everything.added)
