"""Typed iterators over the whole store: every incident, action, document or current attribution, page by page.

Jobs that need a whole table (attribute every incident, check every rule,
export, report) read it through these instead of hand-written paging loops
with silent caps. Each iterator pages with :func:`paged` (``PAGE_SIZE`` rows
per query, no transaction held between pages), so memory holds one page of
rows plus what the caller keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select

from ..model import Action, AttributionResult, Document, Extraction, Incident
from . import codec
from .tables import AttributionRow, DocumentRow, ExtractionRow

T = TypeVar("T")

#: Rows per page when :func:`paged` walks a listing.
PAGE_SIZE = 500


def paged(list_page: Callable[..., list[T]], *, page_size: int = PAGE_SIZE, **filters: Any) -> Iterator[T]:
    """Every row a ``Store.list_*`` method can return, page by page (no cap on the total).

    ``list_page`` is called with ``limit``/``offset`` (and ``filters``) until a
    page comes back short, so the whole table is read without holding a
    transaction open between pages.
    """
    offset = 0
    while True:
        page = list_page(limit=page_size, offset=offset, **filters)
        yield from page
        if len(page) < page_size:
            return
        offset += len(page)


#: The epoch used to sort documents without a publication date first.
_EPOCH = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


class StoreIterators:
    """Whole-table reads of :class:`~tripwire.store.Store` (mixed in; uses its ``list_*`` and ``_reading``)."""

    # provided by Store
    list_incidents: Callable[..., list[Incident]]
    list_actions: Callable[..., list[Action]]
    list_documents: Callable[..., list[Document]]
    _reading: Callable[[str], Any]
    _document: Callable[[DocumentRow], Document]

    def iter_incidents(self, *, since: dt.date | None = None, until: dt.date | None = None, country: str | None = None) -> Iterator[Incident]:
        """Every live incident, by date (undated last), with the filters of :meth:`list_incidents`."""
        return paged(self.list_incidents, since=since, until=until, country=country)

    def iter_actions(self) -> Iterator[Action]:
        """Every stored action, by date (undated last)."""
        return paged(self.list_actions)

    def iter_documents(self) -> Iterator[Document]:
        """Every stored document, oldest stored first."""
        return paged(self.list_documents)

    def article_documents(self) -> list[Document]:
        """Every stored article and feed item, oldest publication first (ties by id).

        Dataset rows (ACLED/UCDP/GDELT imports) are left out: they became
        incidents or actions when imported.
        """
        return list(self.documents_of(self.article_ids()))

    def article_ids(self, *, only_new: bool = False) -> list[str]:
        """The ids of :meth:`article_documents` in its order (``only_new``: those without an extraction), reading no text."""
        with self._reading("list the stored articles") as session:
            rows = session.execute(select(DocumentRow.id, DocumentRow.published).where(DocumentRow.kind != "dataset-row"))
            keyed = sorted((published or _EPOCH, doc_id) for doc_id, published in rows)
            done = set(session.scalars(select(ExtractionRow.document_id))) if only_new else set()
        return [doc_id for _, doc_id in keyed if doc_id not in done]

    def documents_of(self, ids: Sequence[str]) -> Iterator[Document]:
        """The stored documents with these ids, in that order, ``PAGE_SIZE`` per query (an id not stored is skipped)."""
        for start in range(0, len(ids), PAGE_SIZE):
            page = ids[start:start + PAGE_SIZE]
            with self._reading("read documents") as session:
                found = {row.id: row for row in session.scalars(select(DocumentRow).where(DocumentRow.id.in_(page)))}
                docs = [self._document(found[i]) for i in page if i in found]
            yield from docs

    def extractions_of(self, ids: Sequence[str]) -> list[Extraction]:
        """The stored extraction of each document of ``ids`` that has one, in their order."""
        wanted = list(ids)
        found: dict[str, Extraction] = {}
        with self._reading("read extractions") as session:
            for start in range(0, len(wanted), PAGE_SIZE):
                ids = wanted[start:start + PAGE_SIZE]
                for row in session.scalars(select(ExtractionRow).where(ExtractionRow.document_id.in_(ids))):
                    found[row.document_id] = codec.load(Extraction, row.payload)
        return [found[i] for i in wanted if i in found]

    def latest_attributions(self) -> dict[str, AttributionResult]:
        """The newest stored attribution of every incident that has one, by incident id."""
        newest = select(func.max(AttributionRow.id)).group_by(AttributionRow.incident_id)
        out: dict[str, AttributionResult] = {}
        with self._reading("read the current attributions") as session:
            for row in session.execute(select(AttributionRow.incident_id, AttributionRow.payload).where(AttributionRow.id.in_(newest))):
                out[row.incident_id] = codec.load(AttributionResult, row.payload)
        return out

    def document_count_by_kind(self) -> dict[str, int]:
        """How many documents of each kind (article, feed-item, dataset-row...) are stored."""
        with self._reading("count documents by kind") as session:
            return {str(k): int(n) for k, n in session.execute(select(DocumentRow.kind, func.count()).group_by(DocumentRow.kind))}


__all__ = ["PAGE_SIZE", "StoreIterators", "paged"]
