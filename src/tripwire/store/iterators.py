"""Typed iterators over the whole store: every incident, action, document or current attribution, page by page.

Jobs that need a whole table (attribute every incident, check every rule,
export, report) read it through these instead of hand-written paging loops
with silent caps. Each iterator pages with :func:`paged` (``PAGE_SIZE`` rows
per query, no transaction held between pages), so memory holds one page of
rows plus what the caller keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
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
        articles = [d for d in self.iter_documents() if d.kind != "dataset-row"]
        articles.sort(key=lambda d: (d.published or _EPOCH, d.id))
        return articles

    def extractions_of(self, documents: list[Document]) -> list[Extraction]:
        """The stored extraction of each of ``documents`` that has one, in their order."""
        wanted = [d.id for d in documents]
        found: dict[str, Extraction] = {}
        with self._reading("read extractions") as session:
            for start in range(0, len(wanted), PAGE_SIZE):
                ids = wanted[start:start + PAGE_SIZE]
                for row in session.scalars(select(ExtractionRow).where(ExtractionRow.document_id.in_(ids))):
                    found[row.document_id] = codec.load(Extraction, row.payload)
        return [found[i] for i in wanted if i in found]

    def unextracted_documents(self) -> list[Document]:
        """Stored articles that have no extraction yet, oldest publication first."""
        with self._reading("find documents without an extraction") as session:
            done = set(session.scalars(select(ExtractionRow.document_id)))
        return [d for d in self.article_documents() if d.id not in done]

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
