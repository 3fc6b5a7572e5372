"""ingest(): batched transactions (a refused batch retried document by document), idempotent re-runs, failures isolated, provenance kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tripwire.ingest import IngestReport, ingest
from tripwire.settings import Settings
from tripwire.store import Store

GOOD = ["airport.md", "article.html", "cp1252.txt", "utf16.txt", "wire.atom", "wire.rss", "truncated.html", "bad_date.md"]


@pytest.fixture
def corpus(tmp_path: Path, fixtures: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "feeds").mkdir(parents=True)
    for name in GOOD:
        target = folder / "feeds" if name.startswith("wire") else folder
        shutil.copy(fixtures / name, target / name)
    (folder / ".hidden").mkdir()
    shutil.copy(fixtures / "binary.txt", folder / ".hidden" / "skipped.txt")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not walked")
    return folder


def test_folder_ingest_then_rerun_adds_nothing(store: Store, corpus: Path) -> None:
    first = ingest(store, [corpus], settings=Settings(environ={}))
    assert first.failed == ()
    assert len(first.added) == 11 and first.duplicates == ()  # 6 articles + 3 atom + 2 rss entries
    assert store.count_documents() == 11
    assert {loc for loc, _ in first.warnings} >= {str((corpus / "bad_date.md").resolve()), "https://monitor.example.org/2020/01/06/cabinet"}
    second = ingest(store, [corpus])
    assert second.added == () and sorted(second.duplicates) == sorted(first.added) and second.ok
    assert store.count_documents() == 11


def test_duplicate_from_a_new_place_records_the_place(store: Store, corpus: Path, tmp_path: Path) -> None:
    ingest(store, [corpus / "airport.md"])
    copy = tmp_path / "mirror" / "same-story.md"
    copy.parent.mkdir()
    copy.write_bytes((corpus / "airport.md").read_bytes().replace(b"\n", b"\r\n"))
    report = ingest(store, [copy])
    assert report.added == () and len(report.duplicates) == 1
    assert store.document_locations(report.duplicates[0]) == [
        str((corpus / "airport.md").resolve()),
        "https://wire.example.com/2020/01/03/airport-road",
        str(copy.resolve()),
    ]


def test_failure_in_file_three_of_five_loses_nothing(store: Store, fixtures: Path, tmp_path: Path) -> None:
    names = ["airport.md", "cp1252.txt", "binary.txt", "utf16.txt", "article.html"]
    sources = [fixtures / n for n in names]
    report = ingest(store, [*sources, tmp_path / "missing.md", fixtures / "broken.rss"])
    assert len(report.added) == 4 and store.count_documents() == 4
    failed = dict(report.failed)
    assert set(failed) == {str(fixtures / "binary.txt"), str(tmp_path / "missing.md"), str(fixtures / "broken.rss")}
    assert "binary data" in failed[str(fixtures / "binary.txt")]
    assert "does not exist" in failed[str(tmp_path / "missing.md")]
    assert not report.ok and report.summary() == {"added": 4, "duplicates": 0, "failed": 3, "warnings": 0}


def _refuse_location(store: Store, location: str) -> None:
    """Make the database itself refuse any document stored from ``location`` (a trigger, as a constraint would)."""
    with store._engine.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TRIGGER refuse_one BEFORE INSERT ON documents WHEN NEW.location = '{location}' "
            "BEGIN SELECT RAISE(ABORT, 'disk quota exceeded for this document'); END"
        )


def test_a_refused_document_fails_alone_and_the_rest_of_its_batch_is_stored(store: Store, fixtures: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = "https://radio.example.net/bulletins/ceasefire-pledge"
    _refuse_location(store, bad)
    writes: list[int] = []
    real = store.add_documents

    def counted(batch):  # type: ignore[no-untyped-def]
        writes.append(len(batch))
        return real(batch)

    monkeypatch.setattr(store, "add_documents", counted)
    report = ingest(store, [fixtures / "wire.rss", fixtures / "airport.md"], settings=Settings(environ={}))
    assert writes == [3, 1, 1, 1], "one batch of three, refused, then each document on its own"
    assert len(report.added) == 2 and len(report.failed) == 1
    assert report.failed[0][0] == bad and "disk quota exceeded" in report.failed[0][1]
    assert store.count_documents() == 2
    stored = {d.location for d in store.list_documents()}
    assert bad not in stored and str((fixtures / "airport.md").resolve()) in stored
    # the other place of the stored article (its front-matter URL) was committed with it
    airport = next(d for d in store.list_documents() if d.location.endswith("airport.md"))
    assert store.document_locations(airport.id)[1] == "https://wire.example.com/2020/01/03/airport-road"


def test_documents_are_written_a_batch_per_transaction(store: Store, fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    names = ["airport.md", "cp1252.txt", "utf16.txt", "article.html", "truncated.html"]
    writes: list[int] = []
    real = store.add_documents

    def counted(batch):  # type: ignore[no-untyped-def]
        writes.append(len(batch))
        return real(batch)

    monkeypatch.setattr(store, "add_documents", counted)
    settings = Settings({"store_batch_size": 2}, environ={})
    first = ingest(store, [fixtures / n for n in names], settings=settings)
    assert writes == [2, 2, 1] and len(first.added) == 5 and first.ok
    # documents keep the order they were read in, inside a batch as across batches
    assert [d.location for d in store.list_documents()] == [str((fixtures / n).resolve()) for n in names]
    writes.clear()
    again = ingest(store, [fixtures / n for n in reversed(names)], settings=settings)
    assert writes == [2, 2, 1] and again.added == () and sorted(again.duplicates) == sorted(first.added)
    assert store.count_documents() == 5


def test_a_batch_size_below_one_is_a_setting_error(store: Store, fixtures: Path) -> None:
    from tripwire.errors import SettingError

    with pytest.raises(SettingError, match="store_batch_size"):
        ingest(store, [fixtures / "airport.md"], settings=Settings({"store_batch_size": 0}, environ={}))


def test_urls_and_url_lists(store: Store, http_base: str, tmp_path: Path) -> None:
    listing = tmp_path / "daily.urls"
    listing.write_text(f"# morning sources\n{http_base}/news/drone-strike\n{http_base}/feeds/desk.rss\n{http_base}/gone\n", encoding="utf-8")
    report = ingest(store, [listing, f"{http_base}/plain/shelling.txt"], settings=Settings({"allow_private_addresses": True}, environ={}))
    assert len(report.added) == 4
    assert report.failed == ((f"{http_base}/gone", f"{http_base}/gone answered HTTP 404 Not Found"),)
    rss_item = next(d for d in store.list_documents() if d.kind == "feed-item")
    assert f"{http_base}/feeds/desk.rss" in store.document_locations(rss_item.id)


def test_progress_bar_goes_to_stderr(store: Store, fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = ingest(store, [fixtures / "airport.md", fixtures / "wire.rss"], progress=True)
    assert isinstance(report, IngestReport) and len(report.added) == 3
    assert capsys.readouterr().out == ""
