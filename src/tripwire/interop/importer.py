"""Recognise a dataset file, stream its rows as events, and store them.

:func:`sniff_format` tells ACLED, UCDP GED and GDELT 2.0 files apart by their
header (or, for header-less GDELT, by the column count); :func:`iter_events`
streams a file as :class:`~tripwire.interop.common.ParsedRow` /
:class:`~tripwire.interop.common.BadRow` items without holding it in memory;
:func:`import_file` stores the rows through the :class:`~tripwire.store.Store`
API and reports what was added, what was already there and which lines were
skipped and why.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, ParseError, StoreError, UnsupportedFormat
from ..knowledge import KnowledgeBase
from ..model import Incident
from . import acled, gdelt, ucdp
from .common import SNIFF_BYTES, BadRow, DatasetFormat, ImportReport, ParsedRow, check_bytes, iter_records

#: Every importable layout by name.
FORMATS: dict[str, DatasetFormat] = {f.name: f for f in (acled.FORMAT, ucdp.FORMAT, gdelt.FORMAT)}


def get_format(name: str) -> DatasetFormat:
    """The layout called ``name`` (``acled``, ``ucdp``, ``gdelt``); UnsupportedFormat otherwise."""
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        raise UnsupportedFormat(f"unknown dataset format {name!r}; choose one of {', '.join(FORMATS)}") from None


def sniff_format(path: str | Path) -> str:
    """The name of the layout ``path`` is in, judged from its first line.

    Raises :class:`~tripwire.errors.UnsupportedFormat` for anything else,
    including GDELT 1.0 files (57/58 columns), and
    :class:`~tripwire.errors.ParseError` for an empty or unreadable file.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from exc
    check_bytes(head, path)
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
        if set(FORMATS[name].required) <= header:
            return name
    raise UnsupportedFormat(
        f"cannot tell what dataset {path} holds: expected an ACLED or UCDP GED CSV with a header row, "
        "or a GDELT 2.0 event export (61 tab-separated columns)"
    )


def iter_events(path: str | Path, *, format: str | None = None, kb: KnowledgeBase | None = None) -> Iterator[ParsedRow | BadRow]:
    """Stream the rows of ``path`` as parsed events, or as bad rows with their line and reason.

    One bad row never stops the file; a file in the wrong format (or not a
    table at all) raises an :class:`~tripwire.errors.InputError` before any row.
    """
    fmt = get_format(format) if format else FORMATS[sniff_format(path)]
    kb = kb or KnowledgeBase.load()
    location = str(path)
    for item in iter_records(path, fmt):
        if isinstance(item, BadRow):
            yield item
            continue
        line, record, raw = item
        try:
            doc, event = fmt.parse(record, location, kb, raw)
        except (InputError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            yield BadRow(line, _one_line(exc))
            continue
        yield ParsedRow(line=line, key=doc.location.rsplit("#", 1)[-1], document=doc, event=event)


def import_file(store: Any, path: str | Path, *, format: str | None = None, kb: KnowledgeBase | None = None) -> ImportReport:
    """Import a dataset file into ``store``: one document and one incident or action per row.

    Rows whose document is already stored (same canonical text) count as
    duplicates; their event is written again (an idempotent upsert) so that an
    interrupted import completes on the next run. No :class:`~tripwire.model.Extraction`
    is saved: the row's event is stored directly and names its document.
    """
    fmt = get_format(format) if format else FORMATS[sniff_format(path)]
    added: list[str] = []
    duplicates: list[str] = []
    bad: list[BadRow] = []
    counts = {"incident": 0, "action": 0}
    for item in iter_events(path, format=fmt.name, kb=kb):
        if isinstance(item, BadRow):
            bad.append(item)
            continue
        event = item.event
        try:
            new = store.add_document(item.document)
            # The event is upserted even for a known row: a run killed between storing the row's
            # document and its event must complete when the file is imported again.
            if isinstance(event, Incident):
                store.save_incident(event)
            else:
                store.save_action(event)
        except StoreError as exc:  # the database refused this row: report it, keep importing the rest
            bad.append(BadRow(item.line, _one_line(exc)))
            continue
        if not new:
            duplicates.append(event.id)
            continue
        counts["incident" if isinstance(event, Incident) else "action"] += 1
        added.append(event.id)
    return ImportReport(
        path=str(path),
        format=fmt.name,
        added=tuple(added),
        duplicates=tuple(duplicates),
        bad_rows=tuple(bad),
        incidents=counts["incident"],
        actions=counts["action"],
    )


def _one_line(exc: Exception) -> str:
    text = getattr(exc, "message", None) or str(exc)
    lines = [" ".join(part.split()) for part in str(text).splitlines() if part.strip()]
    return "; ".join(lines[:3])[:300]
