"""Recognise a dataset file, stream its rows as events, and store them in batches.

:func:`sniff_format` tells ACLED, UCDP GED and GDELT 2.0 files apart by their
header (or, for header-less GDELT, by the column count; for JSON, by the
field names of its records); :func:`iter_events` streams a file as
:class:`~tripwire.interop.common.ParsedRow` / :class:`~tripwire.interop.common.BadRow`
items without holding it in memory; :func:`import_file` stores the rows
through :meth:`Store.add_dataset_rows <tripwire.store.Store.add_dataset_rows>`,
``batch_size`` rows per transaction (:class:`~tripwire.batching.BatchWriter`: a
refused batch is retried row by row), and reports what was added, what was
already there (by the dataset's own event id) and which lines were skipped
and why.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..errors import InputError, StoreError, UnsupportedFormat
from ..knowledge import KnowledgeBase
from ..model import Document, Incident
from . import acled, gdelt, ucdp
from .common import BadRow, DatasetFormat, Event, ImportReport, ParsedRow
from .records import Record, check_bytes, is_json, iter_records, read_head


class DatasetStore(Protocol):
    """What an import needs of the store (:meth:`tripwire.store.Store.add_dataset_rows`): one transaction per batch."""

    def add_dataset_rows(self, batch: Sequence[tuple[Document, Event]]) -> list[bool]: ...

#: Every importable layout by name.
FORMATS: dict[str, DatasetFormat] = {f.name: f for f in (acled.FORMAT, ucdp.FORMAT, gdelt.FORMAT)}
#: Rows per store transaction in :func:`import_file`.
BATCH_SIZE = 2000
#: Field names that mark a JSON record as ACLED's or UCDP's.
_JSON_KEYS = (("acled", re.compile(rb'"event_id_cnty"\s*:')), ("ucdp", re.compile(rb'"type_of_violence"\s*:')))


def get_format(name: str) -> DatasetFormat:
    """The layout called ``name`` (``acled``, ``ucdp``, ``gdelt``); UnsupportedFormat otherwise."""
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        raise UnsupportedFormat(f"unknown dataset format {name!r}; choose one of {', '.join(FORMATS)}") from None


def sniff_format(path: str | Path) -> str:
    """The name of the layout ``path`` is in, judged from its first line (or, for JSON, its first records).

    Raises :class:`~tripwire.errors.UnsupportedFormat` for anything else,
    including GDELT 1.0 files (57/58 columns), and
    :class:`~tripwire.errors.ParseError` for an empty or unreadable file.
    """
    path = Path(path)
    head = read_head(path)
    check_bytes(head, path)
    if is_json(head):
        for name, pattern in _JSON_KEYS:
            if pattern.search(head):
                return name
        raise UnsupportedFormat(f"cannot tell what dataset {path} holds: JSON without ACLED (event_id_cnty) or UCDP GED (type_of_violence) records")
    first = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
    tabs = first.split("\t")
    if len(tabs) >= 20 and len(tabs) > len(first.split(",")):
        if len(tabs) == len(gdelt.COLUMNS) and tabs[0].strip().isdigit():
            return "gdelt"
        if len(tabs) in (57, 58):
            raise UnsupportedFormat(f"{path} looks like a GDELT 1.0 events file ({len(tabs)} columns); only the 61-column GDELT 2.0 layout is read")
        raise UnsupportedFormat(f"{path} is tab-separated with {len(tabs)} columns; GDELT 2.0 event exports have {len(gdelt.COLUMNS)}")
    try:
        header = {" ".join(c.split()).lower() for c in next(csv.reader([first]))}
    except (csv.Error, StopIteration):
        header = set()
    for name in ("acled", "ucdp"):
        fmt = FORMATS[name]
        if set(fmt.required) <= {fmt.aliases.get(c, c) for c in header}:
            return name
    raise UnsupportedFormat(
        f"cannot tell what dataset {path} holds: expected an ACLED or UCDP GED CSV with a header row, "
        "ACLED or UCDP API JSON, or a GDELT 2.0 event export (61 tab-separated columns)"
    )


def _options(fmt: DatasetFormat, options: Mapping[str, Any]) -> dict[str, Any]:
    given = {k: v for k, v in options.items() if v not in (None, False, 0)}
    if given and fmt.keep is None:
        raise UnsupportedFormat(f"{', '.join(sorted(given))} filter only GDELT imports, not {fmt.label} files")
    return given


def _iter(path: str | Path, fmt: DatasetFormat, kb: KnowledgeBase, options: Mapping[str, Any]) -> Iterator[ParsedRow | BadRow | None]:
    """Parsed and bad rows; ``None`` for a row the filters leave out."""
    location = str(path)
    keep = fmt.keep if options else None
    for item in iter_records(path, fmt):
        if isinstance(item, BadRow):
            yield item
            continue
        record: Record = item
        if keep is not None and not keep(record.fields, options):
            yield None
            continue
        try:
            doc, event = fmt.parse(record.fields, location, kb, record.raw)
        except (InputError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            yield BadRow(record.line, _one_line(exc))
            continue
        yield ParsedRow(line=record.line, key=doc.location.rsplit("#", 1)[-1], document=doc, event=event, recoded=record.recoded)


def iter_events(path: str | Path, *, kb: KnowledgeBase, format: str | None = None,
                root_only: bool = False, min_sources: int = 0) -> Iterator[ParsedRow | BadRow]:
    """Stream the rows of ``path`` as parsed events, or as bad rows with their line and reason.

    One bad row never stops the file; a file in the wrong format (or not a
    table at all) raises an :class:`~tripwire.errors.InputError` before any
    row. ``root_only`` and ``min_sources`` (GDELT only) leave out events that
    are not root events or have fewer sources.
    """
    fmt = get_format(format) if format else FORMATS[sniff_format(path)]
    options = _options(fmt, {"root_only": root_only, "min_sources": min_sources})
    for item in _iter(path, fmt, kb, options):
        if item is not None:
            yield item


def import_file(store: DatasetStore, path: str | Path, *, kb: KnowledgeBase, format: str | None = None,
                root_only: bool = False, min_sources: int = 0, batch_size: int = BATCH_SIZE) -> ImportReport:
    """Import a dataset file into ``store``: one document and one incident or action per row.

    Rows are written ``batch_size`` at a time, each batch in one transaction
    (:meth:`~tripwire.store.Store.add_dataset_rows`). A row whose event id is
    already stored, or came earlier in the file, is a duplicate and is not
    written again, so a file exported twice, re-saved by pandas or Excel
    (other column order, encoding or number format) or imported after an
    interrupted run is stored once. An interruption loses at most the batch
    in flight. No :class:`~tripwire.model.Extraction` is saved: the row's
    event is stored directly and names its document.

    Automatic cyclic garbage collection is paused while the file is read
    (:func:`_bulk_collection`): a batch keeps thousands of new models alive,
    so the collector would otherwise run full passes over every live object
    (the knowledge base included) again and again, about a quarter of the
    import's CPU time. The young generations are collected after each batch
    instead, so memory stays bounded by the batch.
    """
    from ..batching import BatchWriter

    fmt = get_format(format) if format else FORMATS[sniff_format(path)]
    options = _options(fmt, {"root_only": root_only, "min_sources": min_sources})
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    added: list[str] = []
    duplicates: list[str] = []
    bad: list[BadRow] = []
    counts = {"incident": 0, "action": 0, "filtered": 0, "recoded": 0}

    def record(row: tuple[int, Document, Event], new: bool) -> None:
        event = row[2]
        if new:
            added.append(event.id)
            counts["incident" if isinstance(event, Incident) else "action"] += 1
        else:
            duplicates.append(event.id)

    def refused(row: tuple[int, Document, Event], exc: StoreError) -> None:
        # the database refused this row even on its own: only it becomes a bad row, the rest are imported
        bad.append(BadRow(row[0], _one_line(exc)))

    def write(rows: Sequence[tuple[int, Document, Event]]) -> list[bool]:
        news = store.add_dataset_rows([(doc, event) for _line, doc, event in rows])
        gc.collect(1)  # the young objects of the batch (see _bulk_collection)
        return news

    writer: BatchWriter[tuple[int, Document, Event], bool] = BatchWriter(write, size=batch_size, done=record, refused=refused)
    with _bulk_collection(), writer:
        for item in _iter(path, fmt, kb, options):
            if item is None:
                counts["filtered"] += 1
            elif isinstance(item, BadRow):
                bad.append(item)
            else:
                counts["recoded"] += item.recoded
                writer.add((item.line, item.document, item.event))
    return ImportReport(
        path=str(path),
        format=fmt.name,
        added=tuple(added),
        duplicates=tuple(duplicates),
        bad_rows=tuple(bad),
        incidents=counts["incident"],
        actions=counts["action"],
        filtered=counts["filtered"],
        recoded=counts["recoded"],
    )


@contextlib.contextmanager
def _bulk_collection() -> Iterator[None]:
    """Automatic garbage collection off for the block (the caller collects young objects per batch); as it was after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _one_line(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc)
    lines = [" ".join(part.split()) for part in str(text).splitlines() if part.strip()]
    return "; ".join(lines[:3])[:300]
