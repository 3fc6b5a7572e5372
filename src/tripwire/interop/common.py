"""Shared machinery of the dataset importers: reading rows, country codes, mappings, reports.

Each dataset module (:mod:`.acled`, :mod:`.ucdp`, :mod:`.gdelt`) describes its
layout as a :class:`DatasetFormat` and turns one row (a mapping of column name
to text) into a Tripwire event. Everything else lives here: streaming the file
row by row with line numbers, spotting files that are not text or not a table
at all, the canonical rendering that makes a row's :class:`~tripwire.model.Document`
hash the same however often it is imported, the ISO/FIPS country table and the
event-type mapping (both shipped as data under ``interop/data/``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..errors import DateError, DecodeError, ParseError, UnsupportedFormat
from ..knowledge import KnowledgeBase
from ..model import Action, AttributionKind, AttributionStatement, Document, Incident, Source, Span, normalise_text

#: Largest single CSV field we accept (a runaway quote otherwise swallows the file).
FIELD_LIMIT = 1_000_000
#: Bytes read to recognise a file's format.
SNIFF_BYTES = 65_536

_SURROGATE = re.compile("[\udc80-\udcff]")
_PAREN = re.compile(r"\s*\([^)]*\)")

Event = Incident | Action


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BadRow:
    """A row that could not be imported: the line it starts on and why."""

    line: int
    message: str


@dataclass(frozen=True)
class ParsedRow:
    """One imported row: its line, dataset key, provenance document and event."""

    line: int
    key: str
    document: Document
    event: Event


@dataclass(frozen=True)
class ImportReport:
    """What :func:`~tripwire.interop.import_file` did with a file.

    ``added`` and ``duplicates`` hold event ids (incident or action); a row is a
    duplicate when its document (the canonical row text) was already stored.
    ``bad_rows`` says which lines were skipped and why; nothing else is dropped.
    """

    path: str
    format: str
    added: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    bad_rows: tuple[BadRow, ...] = ()
    incidents: int = 0
    actions: int = 0

    @property
    def rows(self) -> int:
        """Rows read, good and bad."""
        return len(self.added) + len(self.duplicates) + len(self.bad_rows)


# ---------------------------------------------------------------------------
# Data tables shipped with the package
# ---------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return (resources.files("tripwire.interop") / "data" / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class CountryTable:
    """ISO 3166 alpha-2 look-up from alpha-3, numeric, FIPS 10-4 codes and names."""

    by_code: Mapping[str, str]
    by_fips: Mapping[str, str]
    by_name: Mapping[str, str]
    names: Mapping[str, str]

    def iso2(self, value: str | None) -> str | None:
        """The alpha-2 code for an alpha-2/alpha-3/numeric code or a country name, else None."""
        if value is None:
            return None
        text = " ".join(str(value).split())
        if not text:
            return None
        if text.isdigit():
            return self.by_code.get(text.zfill(3))
        return self.by_code.get(text.upper()) or self.by_name.get(text.casefold())

    def from_fips(self, code: str | None) -> str | None:
        """The alpha-2 code for a FIPS 10-4 country code (as GDELT uses), else None."""
        return self.by_fips.get((code or "").strip().upper()) if code else None


@lru_cache(maxsize=1)
def countries() -> CountryTable:
    """The bundled country table (``interop/data/countries.csv``)."""
    by_code: dict[str, str] = {}
    by_fips: dict[str, str] = {}
    by_name: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(_data_text("countries.csv"))):
        iso2 = row["iso2"].strip().upper()
        names[iso2] = row["name"]
        by_code[iso2] = by_code[row["iso3"].strip().upper()] = by_code[row["numeric"].strip().zfill(3)] = iso2
        for fips in row["fips"].split("|"):
            if fips.strip():
                by_fips[fips.strip().upper()] = iso2
        for name in (row["name"], *row["aliases"].split("|")):
            if name.strip():
                by_name[" ".join(name.split()).casefold()] = iso2
    return CountryTable(by_code, by_fips, by_name, names)


@lru_cache(maxsize=1)
def event_types() -> dict[str, Any]:
    """The dataset-category to event mapping (``interop/data/event_types.yaml``)."""
    return yaml.safe_load(_data_text("event_types.yaml"))


# ---------------------------------------------------------------------------
# Field parsing
# ---------------------------------------------------------------------------


def clean(value: str | None) -> str:
    """A field's text with runs of whitespace folded to one space."""
    return " ".join((value or "").split())


def parse_date(text: str, formats: Sequence[str], *, column: str) -> dt.date:
    """A date from the first of ``formats`` that fits; DateError when none does or it is absurd."""
    text = clean(text)
    if not text:
        raise DateError(f"column {column!r} is empty")
    for fmt in formats:
        try:
            value = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1900 <= value.year <= 2100:
            raise DateError(f"column {column!r}: year {value.year} is out of range")
        return value
    raise DateError(f"column {column!r}: {text[:40]!r} is not a date")


def parse_count(text: str | None, *, column: str) -> int | None:
    """A non-negative whole number (``"3"`` or ``"3.0"``), None when empty."""
    text = clean(text)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ParseError(f"column {column!r}: {text[:40]!r} is not a number") from None
    if value != value or value < 0 or value != int(value) or value > 10_000_000:
        raise ParseError(f"column {column!r}: {text[:40]!r} is not a plausible count")
    return int(value)


def parse_coord(text: str | None, *, column: str, limit: float) -> float | None:
    """A latitude/longitude within +-``limit``, None when empty."""
    text = clean(text)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ParseError(f"column {column!r}: {text[:40]!r} is not a coordinate") from None
    if not -limit <= value <= limit:
        raise ParseError(f"column {column!r}: {value} is outside +-{limit:g}")
    return value


_CACHES: weakref.WeakKeyDictionary[KnowledgeBase, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()
_CACHE_LIMIT = 50_000


def _cached(kb: KnowledgeBase, kind: str, name: str, compute: Callable[[], Any]) -> Any:
    """Memoise a knowledge-base look-up: dataset names repeat across millions of rows."""
    cache = _CACHES.setdefault(kb, {})
    key = (kind, name)
    if key not in cache:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = compute()
    return cache[key]


def place_id(kb: KnowledgeBase, *names: str) -> str | None:
    """The gazetteer id of the first of ``names`` the gazetteer knows exactly, else None."""
    for name in names:
        entry = _cached(kb, "place", name, lambda: kb.resolve_place(name)) if name else None
        if entry is not None:
            return entry.id
    return None


def outlet_id(kb: KnowledgeBase, name: str) -> str | None:
    """The outlet id of a dataset's name (``ACLED``) when the knowledge base lists it."""
    return _cached(kb, "outlet", name, lambda: kb.resolve_outlet(name))


def resolve_actor(kb: KnowledgeBase, name: str) -> str:
    """The knowledge-base actor id a dataset's actor name denotes, else ``unknown``.

    Dataset names carry qualifiers in brackets ("Islamic State (Iraq)",
    "Military Forces of Iran (1989-)"); those are dropped first. An exact
    alias match wins; otherwise the longest actor named inside the name
    ("Military Forces of the United States" -> ``usa``).
    """
    return _cached(kb, "actor", name, lambda: _resolve_actor(kb, name))


def _resolve_actor(kb: KnowledgeBase, name: str) -> str:
    base = _PAREN.sub("", name).strip()
    if not base:
        return "unknown"
    hit = kb.resolve_actor(base)
    if hit:
        return hit
    found = kb.find_actors(base)
    if found:
        return max(found, key=lambda m: (m[1] - m[0], -m[0]))[2]
    return "unknown"


def attribution(kb: KnowledgeBase, doc: Document, *, column: str, name: str, dataset: str, hedges: tuple[str, ...] = ()) -> AttributionStatement:
    """An ``alleged`` statement by the dataset naming ``name`` (from ``column``) as perpetrator.

    The evidence span points at the name inside the row's canonical document
    text, so the original wording survives even when the actor is ``unknown``.
    """
    evidence = None
    marker = f"{column}: {clean(name)}"
    at = doc.text.find(marker)
    if at >= 0:
        start = at + len(column) + 2
        evidence = Span(document_id=doc.id, start=start, end=start + len(clean(name)), text=clean(name))
    return AttributionStatement(
        actor=resolve_actor(kb, name),
        kind=AttributionKind.ALLEGED,
        hedges=hedges,
        asserted_by=Source(outlet=dataset, outlet_id=outlet_id(kb, dataset)),
        evidence=evidence,
    )


def split_names(text: str | None) -> list[str]:
    """Names in a ``;``-separated list field (ACLED ``assoc_actor_1``)."""
    return [clean(part) for part in (text or "").split(";") if clean(part)]


def is_state_force(name: str, prefixes: Sequence[str]) -> bool:
    """True when a dataset actor name denotes a state's armed forces."""
    return any(clean(name).lower().startswith(p.lower()) for p in prefixes)


# ---------------------------------------------------------------------------
# Row documents
# ---------------------------------------------------------------------------


def row_document(*, dataset: str, key: str, record: Mapping[str, str], location: str, media_type: str,
                 title: str, date: dt.date | None, raw: str) -> Document:
    """The provenance document of one row.

    The text renders every non-empty field as ``column: value``, sorted by column
    name and prefixed with the dataset, so the same row yields the same content
    hash whatever file, path or column order it arrives in.
    """
    lines = [f"{dataset} row {key}"]
    lines += [f"{col}: {clean(val)}" for col, val in sorted(record.items()) if clean(val)]
    text = normalise_text("\n".join(lines))
    return Document.from_text(
        text,
        location=location,
        title=title,
        outlet=dataset,
        published=dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone.utc) if date else None,
        media_type=media_type,
        kind="dataset-row",
        raw_sha256=hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest(),
    )


# ---------------------------------------------------------------------------
# Formats and streaming
# ---------------------------------------------------------------------------

RowParser = Callable[[Mapping[str, str], str, KnowledgeBase, str | None], tuple[Document, Event]]


@dataclass(frozen=True)
class DatasetFormat:
    """The layout of one dataset and the function that turns a row into an event.

    ``columns`` is the full column list of a header-less layout (GDELT);
    ``required`` are the columns a header must have.
    """

    name: str
    label: str
    delimiter: str
    required: tuple[str, ...]
    parse: RowParser
    columns: tuple[str, ...] = ()
    quoting: int = csv.QUOTE_MINIMAL
    media_type: str = "text/csv"

    @property
    def has_header(self) -> bool:
        """Whether the file's first line names the columns."""
        return not self.columns


def check_bytes(head: bytes, path: str | Path) -> None:
    """Refuse archives, binaries and UTF-16 text with a clear message."""
    if not head.strip():
        raise ParseError(f"{path} is empty")
    if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ")):
        raise UnsupportedFormat(f"{path} is a compressed archive; unpack it and import the CSV inside")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DecodeError(f"{path} is UTF-16 text; save it as UTF-8 and import again")
    if b"\x00" in head:
        raise UnsupportedFormat(f"{path} is a binary file, not a CSV/TSV dataset export")


class _Lines:
    """The physical lines of a text stream, numbered, with the lines of the record being read kept for a re-read.

    ``csv.reader`` pulls as many lines as one record needs; an unclosed quote
    makes it pull every line up to the end of the file (or the field limit)
    into one record. :meth:`reread_after_first` puts all but the first line of
    the record just read back in front, so they are parsed again as rows of
    their own.
    """

    def __init__(self, text: Iterator[str]) -> None:
        self._text = text
        self._back: list[tuple[int, str]] = []
        self._next = 1
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self._back:
            item = self._back.pop()
        else:
            item = (self._next, next(self._text))
            self._next += 1
        self.taken.append(item)
        return item[1]

    def start_record(self) -> None:
        """Forget the lines of the previous record."""
        self.taken = []

    @property
    def first(self) -> int:
        """The line the record just read started on (the next line when none was read)."""
        return self.taken[0][0] if self.taken else (self._back[-1][0] if self._back else self._next)

    def reread_after_first(self) -> int:
        """Queue the record's lines after its first to be read again; how many were queued."""
        again = self.taken[1:]
        self._back.extend(reversed(again))
        self.taken = self.taken[:1]
        return len(again)


def iter_records(path: str | Path, fmt: DatasetFormat) -> Iterator[tuple[int, dict[str, str], str] | BadRow]:
    """Stream ``(line, record, raw)`` for each row of ``path``, or a :class:`BadRow`.

    Only the current row is held in memory. A header lacking required
    columns, or a header-less file whose first row has the wrong number of
    fields, means the file is not in this format: :class:`UnsupportedFormat`.
    A record that spans several lines and is unreadable or has the wrong
    number of fields (an unclosed quote runs on to the end of the file) is
    one bad row for its first line; the lines it swallowed are read again as
    rows of their own, so each is imported or counted as bad on its own.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with handle:
        check_bytes(handle.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(handle, "peek") else b"", path)
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline="")
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
        lines = _Lines(iter(text))
        reader = csv.reader(lines, delimiter=fmt.delimiter, quoting=fmt.quoting)
        header: list[str] | None = list(fmt.columns) if fmt.columns else None
        checked = False
        while True:
            lines.start_record()
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                line = lines.first
                if len(lines.taken) > 1:
                    again = lines.reread_after_first()
                    yield BadRow(line, f"unreadable ({exc}): an unclosed quote? the {again} line(s) after it are read again on their own")
                    continue
                yield BadRow(line, f"unreadable: {exc}")
                if not lines.taken:  # the reader cannot move on
                    break
                continue
            line = lines.first
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = [clean(col).lower() for col in row]
                missing = [c for c in fmt.required if c not in header]
                if missing:
                    raise UnsupportedFormat(
                        f"{path} is not a {fmt.label} export: its header lacks {', '.join(missing)}",
                        detail={"missing": missing},
                    )
                continue
            if not checked and not fmt.has_header and len(row) != len(header):
                raise UnsupportedFormat(
                    f"{path} is not a {fmt.label} export: expected {len(header)} "
                    f"{'tab-' if fmt.delimiter == chr(9) else ''}separated columns, line {line} has {len(row)}"
                )
            checked = True
            if len(row) != len(header) and len(lines.taken) > 1:
                again = lines.reread_after_first()
                yield BadRow(line, f"has {len(row)} fields where {len(header)} were expected: an unclosed quote ran on over {again} more line(s), which are read again on their own")
                continue
            raw = fmt.delimiter.join(row)
            if _SURROGATE.search(raw):
                yield BadRow(line, "bytes that are not valid UTF-8 (was the file saved in another encoding?)")
                continue
            if len(row) != len(header):
                yield BadRow(line, f"has {len(row)} fields where {len(header)} were expected")
                continue
            yield line, dict(zip(header, row)), raw
        if header is None:
            raise ParseError(f"{path} holds no rows")
