"""Shared machinery of the dataset importers: formats, field parsing, actors, row documents, reports.

Each dataset module (:mod:`.acled`, :mod:`.ucdp`, :mod:`.gdelt`) describes its
layout as a :class:`DatasetFormat` and turns one row (a mapping of column name
to text) into a Tripwire event. Shared here: the field parsers, actor-name
resolution (qualifiers, "X and/or Y" lists), the canonical rendering that
makes a row's :class:`~tripwire.model.Document` hash the same however often it
is imported, the event-type mapping (``interop/data/event_types.yaml``) and
the import report. Reading files is :mod:`.records`; country codes of every
system are :attr:`KnowledgeBase.country_codes <tripwire.knowledge.KnowledgeBase.country_codes>`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ..errors import DateError, ParseError
from ..knowledge import KnowledgeBase
from ..knowledge.codes import CountryCodes
from ..model import Action, AttributionKind, AttributionStatement, Casualty, Document, Incident, Source, Span, content_hash_normalised

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
    """One imported row: its line, dataset key, provenance document and event (``recoded``: a field was Windows-1252)."""

    line: int
    key: str
    document: Document
    event: Event
    recoded: bool = False


@dataclass(frozen=True)
class ImportReport:
    """What :func:`~tripwire.interop.import_file` did with a file.

    ``added`` and ``duplicates`` hold event ids (incident or action); a row is a
    duplicate when an event with its id (the dataset's own event id) is
    already stored or came earlier in the file, whatever the column order,
    encoding or number formatting of either copy. ``bad_rows`` says which
    lines were skipped and why; ``filtered`` counts rows the import's filters
    (GDELT ``root_only``/``min_sources``) left out; ``recoded`` counts rows with
    a field read as Windows-1252. Nothing else is dropped. ``merged`` maps
    each added incident that joined an article event already in the store to
    that event's id (set by :func:`~tripwire.interop.import_dataset`).
    """

    path: str
    format: str
    added: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    bad_rows: tuple[BadRow, ...] = ()
    incidents: int = 0
    actions: int = 0
    filtered: int = 0
    recoded: int = 0
    merged: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows read, good, bad and filtered out."""
        return len(self.added) + len(self.duplicates) + len(self.bad_rows) + self.filtered


# ---------------------------------------------------------------------------
# Data tables shipped with the package
# ---------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return (resources.files("tripwire.interop") / "data" / name).read_text(encoding="utf-8")


def countries(kb: KnowledgeBase) -> CountryCodes:
    """The look-up of every country-code system (:class:`~tripwire.knowledge.codes.CountryCodes`) of ``kb``."""
    return kb.country_codes


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


#: What R, pandas and databases write into a CSV for an empty field; read as empty (ACLED, UCDP).
MISSING_VALUES = ("NA", "N/A", "NULL", "NaN", "nan", "None", "<NA>")
_FLOAT_ID = re.compile(r"(\d+)\.0+")


def dataset_key(value: str | None, *, column: str) -> str:
    """A row's own event id: whitespace folded, a numeric id written as a float by pandas (``"244657.0"``) made whole."""
    key = clean(value)
    if not key:
        raise ValueError(f"column {column!r} is empty")
    whole = _FLOAT_ID.fullmatch(key)
    return whole.group(1) if whole else key


def parse_date(text: str, formats: Sequence[str], *, column: str) -> dt.date:
    """A date from the first of ``formats`` that fits; DateError when none does or it is absurd."""
    text = clean(text)
    if not text:
        raise DateError(f"column {column!r} is empty")
    return _parse_date(text, tuple(formats), column)


@lru_cache(maxsize=20_000)
def _parse_date(text: str, formats: tuple[str, ...], column: str) -> dt.date:
    """:func:`parse_date` of a cleaned text, memoised: a dataset has a few thousand distinct dates."""
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
    if value != value or value < 0 or value > 10_000_000 or value != int(value):  # bound first: int(inf) raises
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


_LAST: list[Any] = [None, None]  # the knowledge base looked up last and its cache: one import uses one


def _cached(kb: KnowledgeBase, kind: str, name: str, compute: Callable[[], Any]) -> Any:
    """Memoise a knowledge-base look-up: dataset names repeat across millions of rows."""
    if _LAST[0] is kb:
        cache = _LAST[1]
    else:
        cache = _CACHES.setdefault(kb, {})
        _LAST[:] = [kb, cache]
    key = (kind, name)
    if key not in cache:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = compute()
    return cache[key]


def place_id(kb: KnowledgeBase, *names: str) -> str | None:
    """The gazetteer id of the first of ``names`` the gazetteer knows exactly, else None."""
    for name in names:
        entry = _cached(kb, "place", name, lambda: kb.resolve_place(name, fuzzy=False)) if name else None
        if entry is not None:
            return entry.id
    return None


def outlet_id(kb: KnowledgeBase, name: str) -> str | None:
    """The outlet id of a dataset's name (``ACLED``) when the knowledge base lists it."""
    return _cached(kb, "outlet", name, lambda: kb.resolve_outlet(name))


def resolve_actor(kb: KnowledgeBase, name: str) -> str:
    """The knowledge-base actor id a dataset's actor name denotes, else ``unknown``.

    Dataset names carry qualifiers in brackets ("Islamic State (Iraq)",
    "Military Forces of Iran (1989-)"). A qualifier that names a branch is
    tried first, folded into the name ("Islamic State (Sahel)" -> "Islamic
    State Sahel", exact aliases only); then the name without qualifiers,
    exactly; then the longest actor named inside it ("Military Forces of the
    United States" -> ``usa``). ``NA`` and empty names are ``unknown``.
    """
    return _cached(kb, "actor", name, lambda: _resolve_actor(kb, name))


def _resolve_actor(kb: KnowledgeBase, name: str) -> str:
    base = _PAREN.sub("", name).strip()
    if not base or base.upper() in NO_NAME:
        return "unknown"
    for qualifier in _QUALIFIER.findall(name):
        if not _DATES.fullmatch(qualifier) and kb.country_codes.iso2(qualifier, "name") is None:
            hit = kb.resolve_actor(f"{base} {qualifier}")
            if hit:
                return hit
    hit = kb.resolve_actor(base)
    if hit:
        return hit
    found = kb.find_actors(base)
    if found:
        return max(found, key=lambda m: (m[1] - m[0], -m[0]))[2]
    return "unknown"


#: Texts that stand for "no actor" in dataset exports.
NO_NAME = frozenset({"NA", "N/A", "NULL", "NONE", "NAN", "UNKNOWN"})
_QUALIFIER = re.compile(r"\(([^)]*)\)")
_DATES = re.compile(r"[\d\s\-–/]*")
#: How datasets join alternative perpetrators in one actor field.
ALTERNATIVES = re.compile(r"\s+and/or\s+", re.IGNORECASE)


def actor_names(text: str | None) -> list[str]:
    """The actor names in one actor field: "X and/or Y" gives both; ``NA``/empty gives none."""
    name = clean(text)
    if not name or name.upper() in NO_NAME:
        return []
    if "and/or" not in name.lower():
        return [name]
    return [part for part in (clean(p) for p in ALTERNATIVES.split(name)) if part and part.upper() not in NO_NAME]


def attribution(kb: KnowledgeBase, doc: Document, *, column: str, name: str, dataset: str, hedges: tuple[str, ...] = ()) -> AttributionStatement:
    """An ``alleged`` statement by the dataset naming ``name`` (from ``column``) as perpetrator.

    The evidence span points at the name inside the ``column`` line of the
    row's canonical document text, so the original wording survives even when
    the actor is ``unknown``.
    """
    evidence = None
    name = clean(name)
    marker = f"\n{column}: "
    line_at = doc.text.find(marker)
    if line_at >= 0:
        line_end = doc.text.find("\n", line_at + len(marker))
        at = doc.text.find(name, line_at + len(marker), len(doc.text) if line_end < 0 else line_end)
        if at >= 0:
            evidence = Span(document_id=doc.id, start=at, end=at + len(name), text=name)
    return AttributionStatement(
        actor=resolve_actor(kb, name),
        kind=AttributionKind.ALLEGED,
        hedges=hedges,
        asserted_by=_cached(kb, "source", dataset, lambda: Source(outlet=dataset, outlet_id=outlet_id(kb, dataset))),
        evidence=evidence,
    )


#: The hedge on each of several alternative perpetrators ("X and/or Y"): the dataset says one of them, maybe both.
ALTERNATIVE_HEDGE = "possibly"


def attributions(kb: KnowledgeBase, doc: Document, *, column: str, text: str | None, dataset: str,
                 hedges: tuple[str, ...] = ()) -> list[AttributionStatement]:
    """One statement per actor named in an actor field; alternatives ("X and/or Y") each hedged ``possibly``."""
    names = actor_names(text)
    extra = (ALTERNATIVE_HEDGE,) if len(names) > 1 else ()
    return [attribution(kb, doc, column=column, name=n, dataset=dataset, hedges=hedges + extra) for n in names]


def split_names(text: str | None) -> list[str]:
    """Names in a ``;``-separated list field (ACLED ``assoc_actor_1``), ``NA`` and empty entries dropped."""
    return [clean(part) for part in (text or "").split(";") if clean(part) and clean(part).upper() not in NO_NAME]


@lru_cache(maxsize=4096)
def killed(count: int, approximate: bool = False) -> Casualty:
    """The one casualty entry a dataset row gives: ``count`` killed, nationality unknown (models are frozen, so shared)."""
    return Casualty(status="killed", count=count, approximate=approximate)


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
    hash whatever file, path or column order it arrives in. ``record`` values
    are whitespace-folded already, as :func:`~tripwire.interop.records.iter_records`
    yields them.
    """
    lines = [f"{dataset} row {key}"]
    lines += [f"{col}: {value}" for col in _sorted_columns(tuple(record)) if (value := record[col])]
    # every line is already whitespace-folded and non-empty, so NFC is all normalise_text would still change
    text = unicodedata.normalize("NFC", "\n".join(lines))
    return Document(
        id=content_hash_normalised(text),
        text=text,
        location=location,
        title=title,
        outlet=dataset,
        published=dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone.utc) if date else None,
        media_type=media_type,
        kind="dataset-row",
        raw_sha256=hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest(),
    )


@lru_cache(maxsize=64)
def _sorted_columns(columns: tuple[str, ...]) -> tuple[str, ...]:
    """A header's column names sorted (every row of a file has the same ones)."""
    return tuple(sorted(columns))


# ---------------------------------------------------------------------------
# Formats and streaming
# ---------------------------------------------------------------------------

#: A dataset's row parser: ``(record, file, kb, raw) -> (document, event)``; record values are whitespace-folded
#: and missing-value texts emptied, as :func:`~tripwire.interop.records.iter_records` yields them.
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
    #: Field texts that mean "no value" (R's ``NA``, ``NULL``); they are read as empty.
    missing: tuple[str, ...] = ()
    #: Old or alternative column names (lower case) -> the name the parser reads.
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: Whether a record passes the import's filters (``None``: the format has none).
    keep: Callable[[Mapping[str, str], Mapping[str, Any]], bool] | None = None

    @property
    def has_header(self) -> bool:
        """Whether the file's first line names the columns."""
        return not self.columns
