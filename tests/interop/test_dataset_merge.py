"""Imported dataset rows and article incidents are one picture: a row about an attack the articles report joins their incident."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tripwire.extract import merge
from tripwire.app import open_context
from tripwire.app.context import Context
from tripwire.app.outputs import import_dataset as import_into
from tripwire.interop import import_file
from tripwire.knowledge import KnowledgeBase
from tripwire.model import Extraction, Incident, Place
from tripwire.app.jobs import row_windows, run_brief
from tripwire.settings import Settings
from tripwire.store import Store


KB = KnowledgeBase.load()

NOW = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
AL_ASAD = "2020-01-08-al-asad-missile-strike"


def _settings(tmp: Path) -> Settings:
    return Settings({"database_url": f"sqlite:///{tmp / 'board.db'}", "report_dir": str(tmp / "report")}, environ={})


def _board(settings: Settings) -> list[Incident]:
    with Store.from_settings(settings) as store:
        return store.list_incidents(limit=1000)


@pytest.fixture(scope="module")
def import_then_brief(tmp_path_factory: pytest.TempPathFactory, fixtures: Path):  # type: ignore[no-untyped-def]
    settings = _settings(tmp_path_factory.mktemp("import-first"))
    with Store.from_settings(settings) as store:
        report = import_file(store, fixtures / "acled_al_asad_2020.csv", kb=KB)
    brief = run_brief(settings, now=NOW)
    return settings, report, brief


def test_an_acled_row_and_the_articles_about_al_asad_are_one_incident(import_then_brief) -> None:  # type: ignore[no-untyped-def]
    settings, report, brief = import_then_brief
    assert report.incidents == 3
    board = _board(settings)
    al_asad = [i for i in board if i.place is not None and i.place.gazetteer_id == "al-asad"]
    assert [i.id for i in al_asad] == [AL_ASAD]
    with Store.from_settings(settings) as store:
        row_doc = store.get_incident("acled-irq48213").documents[0]
        assert store.get_document(row_doc).kind == "dataset-row"
        assert store.superseded_by("acled-irq48213") == AL_ASAD
        assert store.count_incidents() == len(board)
    merged = al_asad[0]
    assert row_doc in merged.documents and len(merged.documents) >= 2
    assert merged.weapon == "ballistic-missile"  # the article's specific weapon wins over the dataset's generic type
    dataset_claims = [a for a in merged.attributions if a.asserted_by.outlet == "ACLED"]
    assert dataset_claims and {a.actor for a in dataset_claims} == {"irgc"}
    assert AL_ASAD in brief.results  # attributed with the dataset's statement among its evidence


@pytest.mark.parametrize(
    ("row", "why"),
    [
        ("acled-irq48214", "same day, another base (Erbil): not the Al Asad event"),
        ("acled-irq51877", "no article event within weeks: not even a candidate"),
    ],
)
def test_rows_that_fit_no_article_event_stay_on_the_board(import_then_brief, row: str, why: str) -> None:  # type: ignore[no-untyped-def]
    settings, _report, brief = import_then_brief
    ids = {i.id for i in _board(settings)}
    assert row in ids, why
    # brief checks the live store, as `tripwire check` does: the row is on its board as itself, folded into no article event
    assert row in {i.id for i in brief.incidents}
    assert all(row not in i.id for i in brief.incidents if i.id != row)


def import_dataset(path: Path, *, settings):  # type: ignore[no-untyped-def]
    """``tripwire import``'s job in a context opened on ``settings``."""
    with open_context(settings) as ctx:
        return import_into(ctx, path)


def test_importing_after_the_brief_folds_the_row_into_the_stored_incident(tmp_path: Path, fixtures: Path) -> None:
    settings = _settings(tmp_path)
    run_brief(settings, now=NOW)
    before = {i.id for i in _board(settings)}
    report = import_dataset(fixtures / "acled_al_asad_2020.csv", settings=settings)
    assert report.merged == {"acled-irq48213": AL_ASAD}
    after = {i.id for i in _board(settings)}
    assert after == before | {"acled-irq48214", "acled-irq51877"}
    again = import_dataset(fixtures / "acled_al_asad_2020.csv", settings=settings)
    assert again.added == () and again.merged == {} and {i.id for i in _board(settings)} == after


def _incident(id_: str, day: int, place: str, gazetteer: str, docs: tuple[str, ...], attack: str = "rocket attack") -> Incident:
    return Incident(id=id_, date=dt.date(2020, 3, day), date_precision="day", attack_type=attack, documents=docs,
                    place=Place(name=place, country="IQ", gazetteer_id=gazetteer))


@pytest.mark.parametrize(
    ("rows", "expected_docs"),
    [
        # a row at the article's base a day later joins it
        ([_incident("acled-a", 12, "Camp Taji", "camp-taji", ("row-a",))], [("article", "row-a")]),
        # a row at another base the same day is left out (it stays its own imported incident)
        ([_incident("acled-b", 11, "K-1 Air Base", "k1-air-base", ("row-b",))], [("article",)]),
        # two rows never make an event of their own, even when they fit each other
        ([_incident("ucdp-c", 20, "Green Zone", "green-zone", ("row-c",)), _incident("acled-c", 20, "Green Zone", "green-zone", ("row-d",))], [("article",)]),
        # two datasets' rows of the article's attack both join it
        ([_incident("ucdp-d", 11, "Camp Taji", "camp-taji", ("row-e",)), _incident("acled-d", 11, "Camp Taji", "camp-taji", ("row-f",))], [("article", "row-e", "row-f")]),
    ],
)
def test_merge_folds_rows_into_article_events_only(rows: list[Incident], expected_docs: list[tuple[str, ...]]) -> None:
    kb = KnowledgeBase.load()
    article = _incident("doc-1#0", 11, "Camp Taji", "camp-taji", ("article",))
    extraction = Extraction(document_id="article", published=dt.date(2020, 3, 12), incidents=(article,))
    merged = merge([extraction], kb, rows=rows)
    assert [tuple(sorted(i.documents)) for i in merged.incidents] == [tuple(sorted(d)) for d in expected_docs]
    assert [i.id for i in merged.incidents] == [i.id for i in merge([extraction], kb).incidents]  # rows never rename an event


@pytest.mark.parametrize(
    ("precision", "day", "window"),
    [
        ("day", dt.date(2020, 1, 8), (dt.date(2020, 1, 1), dt.date(2020, 1, 15))),
        ("month", dt.date(2020, 2, 1), (dt.date(2020, 1, 25), dt.date(2020, 3, 7))),
        ("year", dt.date(2020, 1, 1), (dt.date(2020, 1, 1), dt.date(2020, 12, 31))),
    ],
)
def test_row_windows(precision: str, day: dt.date, window: tuple[dt.date, dt.date]) -> None:
    incident = Incident(id="x", date=day, date_precision=precision)
    assert row_windows([incident, Incident(id="undated")]) == [window]


def test_a_row_no_longer_absorbed_is_back_on_the_board(tmp_path: Path, fixtures: Path) -> None:
    from tripwire.app.jobs import merge_and_save
    from tripwire.settings import Settings

    kb = KnowledgeBase.load()
    asad = Place(name="Al Asad Air Base", country="IQ", gazetteer_id="al-asad")
    taji = Place(name="Camp Taji", country="IQ", gazetteer_id="camp-taji")

    def article(place: Place) -> Extraction:
        inc = Incident(id="a#0", date=dt.date(2020, 1, 8), date_precision="day", attack_type="missile strike", place=place, documents=("article",))
        return Extraction(document_id="article", published=dt.date(2020, 1, 8), incidents=(inc,))

    with Store(f"sqlite:///{tmp_path / 'revive.db'}") as store:
        import_file(store, fixtures / "acled_al_asad_2020.csv", kb=kb)
        ctx = Context(Settings(), kb, store)
        (merged,) = merge_and_save(ctx, [article(asad)]).incidents
        assert store.superseded_by("acled-irq48213") == merged.id
        assert "acled-irq48213" not in {i.id for i in store.list_incidents()}
        merge_and_save(ctx, [article(taji)])  # the article now places the strike elsewhere
        assert store.superseded_by("acled-irq48213") is None
        assert "acled-irq48213" in {i.id for i in store.list_incidents()}
