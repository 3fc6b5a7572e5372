"""``ingest``: read many sources into the store, a batch of documents per transaction.

Sources are files, folders (walked for supported files, hidden ones skipped),
``.urls``/``.list`` files (each URL fetched on its own) and http(s) URLs.
Documents are stored ``store_batch_size`` at a time, each batch with every
place its documents were seen in one transaction
(:meth:`Store.add_documents <tripwire.store.Store.add_documents>`), so an
interrupted run keeps every batch it committed and loses at most the one in
flight, and a re-run adds nothing already stored. One bad source is reported
in ``IngestReport.failed`` without stopping the others; a batch the store
refuses is written again document by document, so only the refused document
fails (:class:`~tripwire.batching.BatchWriter`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import DocumentTooLarge, TripwireError
from ..model import Document
from ..settings import Settings
from .fetch import fetch_documents, is_url
from .loading import load_path
from .readers import SUPPORTED_SUFFIXES, URL_LIST_SUFFIXES, Loaded, load_bytes, read_url_list, sniff


@dataclass(frozen=True)
class Inline:
    """Bytes handed over directly (``tripwire ingest -`` reads standard input into one), stored with ``location`` as their provenance.

    A feed or HTML page is recognised from its first bytes; anything else is
    read as a text or Markdown article (with its front matter).
    """

    location: str
    data: bytes


class DocumentStore(Protocol):
    """What ingest needs of the store (:meth:`tripwire.store.Store.add_documents`): one transaction per batch."""

    def add_documents(self, batch: Sequence[tuple[Document, Sequence[str]]]) -> list[bool]: ...


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run did.

    ``added`` and ``duplicates`` are document ids (a duplicate is a document
    already stored, whose new location was still recorded); ``failed`` pairs a
    source with the reason it could not be read or stored; ``warnings`` pairs a
    document location with something worth knowing (e.g. an impossible
    publication date that was dropped).
    """

    added: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    warnings: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        """True when no source failed."""
        return not self.failed

    def summary(self) -> dict[str, int]:
        """Counts by outcome."""
        return {"added": len(self.added), "duplicates": len(self.duplicates), "failed": len(self.failed), "warnings": len(self.warnings)}


def _walk(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).parts
        if any(part.startswith(".") for part in rel):
            continue
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES:
            found.append(path)
    return sorted(found)


def expand_sources(sources: Sequence[str | Path | Inline], *, settings: Settings) -> tuple[list[str | Path | Inline], list[tuple[str, str]]]:
    """Units to read (files and URLs, folders walked, URL lists opened, inline bytes as they are) and sources that failed already."""
    units: list[str | Path | Inline] = []
    failed: list[tuple[str, str]] = []
    for source in sources:
        if isinstance(source, Inline):
            units.append(source)
            continue
        if isinstance(source, str) and is_url(source):
            units.append(source)
            continue
        path = Path(source)
        try:
            if path.is_dir():
                units += _walk(path)
            elif path.suffix.lower() in URL_LIST_SUFFIXES and path.is_file():
                for line in read_url_list(path, settings=settings):
                    if is_url(line):
                        units.append(line)
                    else:  # a URL list names URLs only: a local path (or file: URL) in it is never read
                        failed.append((line, f"{line!r} in {path} is not an http(s) URL; URL lists may name only http(s) URLs"))
            elif path.exists():
                units.append(path)
            else:
                failed.append((str(source), f"{source} does not exist"))
        except TripwireError as exc:
            failed.append((str(source), exc.message))
        except OSError as exc:
            failed.append((str(source), f"cannot read {source}: {exc.strerror or exc}"))
    return units, failed


def _name(unit: str | Path | Inline) -> str:
    return unit.location if isinstance(unit, Inline) else str(unit)


def _load(unit: str | Path | Inline, settings: Settings) -> list[Loaded]:
    if isinstance(unit, Inline):
        if len(unit.data) > settings.max_document_bytes:
            raise DocumentTooLarge(f"{unit.location} is over the {settings.max_document_bytes:,}-byte limit (setting max_document_bytes)",
                                   detail={"source": unit.location, "limit": settings.max_document_bytes})
        # markup says what it is; anything else is an article in text or Markdown (front matter read)
        return load_bytes(unit.data, location=unit.location, kind=sniff(unit.data) or "markdown", settings=settings)
    if isinstance(unit, str) and is_url(unit):
        return fetch_documents(unit, settings=settings)
    return load_path(unit, settings=settings)


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[object]:
    if not enabled:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("ingest", total=total)
        yield lambda: bar.advance(task)


def ingest(store: DocumentStore, sources: Sequence[str | Path | Inline], *, settings: Settings | None = None, progress: bool = False) -> IngestReport:
    """Read every source into ``store``; never raises for a bad source, reports it in ``failed``."""
    from ..batching import BatchWriter, batch_size

    settings = settings or Settings()
    units, failed = expand_sources(sources, settings=settings)
    added: list[str] = []
    duplicates: list[str] = []
    warnings: list[tuple[str, str]] = []

    def done(item: Loaded, new: bool) -> None:
        (added if new else duplicates).append(item.document.id)

    def refused(item: Loaded, exc: TripwireError) -> None:
        failed.append((item.document.location, exc.message))

    writer: BatchWriter[Loaded, bool] = BatchWriter(
        lambda batch: store.add_documents([(item.document, item.also_at) for item in batch]), size=batch_size(settings), done=done, refused=refused
    )
    with _progress(progress, len(units)) as advance, writer:
        for unit in units:
            try:
                items = _load(unit, settings)
            except TripwireError as exc:
                failed.append((_name(unit), exc.message))
                advance()  # type: ignore[operator]
                continue
            except Exception as exc:  # noqa: BLE001 - a third-party parser bug must not stop the other sources
                failed.append((_name(unit), f"unexpected {type(exc).__name__} while reading: {exc}"))
                advance()  # type: ignore[operator]
                continue
            for item in items:
                warnings += [(item.document.location, w) for w in item.warnings]
                writer.add(item)
            advance()  # type: ignore[operator]
    return IngestReport(added=tuple(added), duplicates=tuple(duplicates), failed=tuple(failed), warnings=tuple(warnings))
