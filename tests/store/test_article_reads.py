"""Reading the stored articles for extraction: ids in publication order without their texts, then the texts a page at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from tripwire.store import Store
from tripwire.store import iterators

from .factories import document, extraction

UTC = dt.timezone.utc
PLUS3 = dt.timezone(dt.timedelta(hours=3))


def _articles() -> list:
    """Articles with ties, undated ones, an offset that reorders by UTC instant, and a dataset row to leave out."""
    return [
        document("Rockets hit Camp Taji late on Tuesday.", location="/a/1.txt", published=dt.datetime(2020, 3, 11, 20, 0, tzinfo=UTC)),
        document("A drone struck Erbil airport.", location="/a/2.txt", published=None),
        document("Mortars fell near Balad air base.", location="/a/3.txt", published=dt.datetime(2020, 3, 11, 22, 0, tzinfo=PLUS3)),  # 19:00 UTC
        document("Two rockets landed in the Green Zone.", location="/a/4.txt", published=dt.datetime(2020, 3, 11, 20, 0, tzinfo=UTC)),
        document("A roadside bomb hit a supply convoy.", location="/a/5.txt", published=None),
        document("event row", location="/d/acled.csv#7", kind="dataset-row", published=dt.datetime(2019, 1, 1, tzinfo=UTC)),
        document("Rockets struck Al Asad air base.", location="/a/6.txt", published=dt.datetime(2018, 1, 1, tzinfo=UTC)),
    ]


def _expected_order(docs: list) -> list[str]:
    epoch = dt.datetime.min.replace(tzinfo=UTC)
    articles = [d for d in docs if d.kind != "dataset-row"]
    return [d.id for d in sorted(articles, key=lambda d: (d.published or epoch, d.id))]


def test_article_ids_are_in_publication_order_by_instant_undated_first_ties_by_id(store: Store) -> None:
    docs = _articles()
    store.add_documents([(d, ()) for d in docs])
    assert store.article_ids() == _expected_order(docs)
    assert [d.id for d in store.article_documents()] == _expected_order(docs)
    assert [d.text for d in store.article_documents()] == [d.text for d in sorted(
        (d for d in docs if d.kind != "dataset-row"), key=lambda d: (d.published or dt.datetime.min.replace(tzinfo=UTC), d.id))]


def test_only_new_leaves_out_the_articles_with_an_extraction(store: Store) -> None:
    docs = _articles()
    store.add_documents([(d, ()) for d in docs])
    order = _expected_order(docs)
    store.save_extractions([extraction(order[1]), extraction(order[3])])
    assert store.article_ids(only_new=True) == [i for k, i in enumerate(order) if k not in (1, 3)]
    assert [e.document_id for e in store.extractions_of(order)] == [order[1], order[3]]


@pytest.mark.parametrize("page_size", [1, 2, 500])
def test_documents_of_keeps_the_given_order_across_pages_and_skips_unknown_ids(store: Store, monkeypatch: pytest.MonkeyPatch, page_size: int) -> None:
    monkeypatch.setattr(iterators, "PAGE_SIZE", page_size)
    docs = _articles()
    store.add_documents([(d, ()) for d in docs])
    wanted = [docs[4].id, "f" * 64, docs[0].id, docs[6].id, docs[2].id]
    got = list(store.documents_of(wanted))
    assert [d.id for d in got] == [docs[4].id, docs[0].id, docs[6].id, docs[2].id]
    assert got[1] == docs[0]


def test_documents_of_reads_lazily_one_page_per_query(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iterators, "PAGE_SIZE", 2)
    docs = _articles()
    store.add_documents([(d, ()) for d in docs])
    pages = []
    real = store._reading

    def counting(what: str):  # type: ignore[no-untyped-def]
        pages.append(what)
        return real(what)

    monkeypatch.setattr(store, "_reading", counting)
    it = store.documents_of(_expected_order(docs))
    first = next(it)
    assert first.id == _expected_order(docs)[0] and len(pages) == 1
    assert len(list(it)) == 5 and len(pages) == 3
