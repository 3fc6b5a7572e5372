"""Reading a dataset file as records: CSV/TSV streamed row by row, or an API's JSON response.

:func:`iter_records` yields one :class:`Record` (line, fields by lower-case
column name, raw text) per data row, or a :class:`~tripwire.interop.common.BadRow`.
What real exports throw at a reader is handled here, once for every dataset:

* **Missing values** that R, pandas or a database wrote as text (``NA``,
  ``NULL``, ...; the format's ``missing`` tuple) become empty fields, so they
  never become an actor or place name.
* **Encodings**: a file is read as UTF-8 (a BOM is dropped); a field whose
  bytes are not UTF-8 is decoded as Windows-1252 (old ACLED files carry its
  right single quote ``0x92``), per field, so one such row neither loses the
  file nor garbles its UTF-8 neighbours. Only bytes that are not Windows-1252
  either make a bad row.
* **Header variants**: column names are compared case-insensitively and old
  names map to current ones (the format's ``aliases``: ACLED's 2016
  ``ALLY_ACTOR_1`` is ``assoc_actor_1``).
* **HXL tag rows** (``#date,#country+name,...``, as HDX republishes
  datasets) right after the header are skipped, not reported as bad rows.
* **JSON**: an API response (``{"data": [...]}`` from ACLED, ``{"Result":
  [...]}`` from UCDP) or a bare list of objects; numbers, booleans and nulls
  become the text a CSV export would hold. JSON is read whole (API pages are
  small); the record number stands in for the line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DecodeError, ParseError, UnsupportedFormat
from .common import BadRow, clean

if TYPE_CHECKING:
    from .common import DatasetFormat

#: Largest single CSV field we accept (a runaway quote otherwise swallows the file).
FIELD_LIMIT = 1_000_000
#: Bytes read to recognise a file's format.
SNIFF_BYTES = 65_536
#: The keys under which dataset APIs return their list of records.
JSON_LISTS = ("data", "Result", "result", "results", "events")
#: Largest JSON file read (it is read whole).
JSON_LIMIT = 512 * 1024 * 1024

_SURROGATE = re.compile("[\udc80-\udcff]")
#: A value that whitespace-folding would change: leading/trailing or doubled whitespace, or any but a plain space.
_UNCLEAN = re.compile(r"\A\s|\s\Z|\s\s|[^\S ]")
#: :data:`_UNCLEAN` of any field of a row whose fields are joined by NUL: no match means no field needs folding.
_UNCLEAN_ROW = re.compile(r"(?:\A|\x00) | (?:\x00|\Z)|\s\s|[^\S ]")


@dataclass(frozen=True)
class Record:
    """One data row: where it starts, its fields by column, the raw text and whether a field needed Windows-1252.

    Field values are whitespace-folded (:func:`~tripwire.interop.common.clean`)
    and the format's missing-value texts are empty.
    """

    line: int
    fields: dict[str, str]
    raw: str
    recoded: bool = False


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


def is_json(head: bytes) -> bool:
    """Whether a file's first bytes open a JSON object or array."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def read_head(path: Path) -> bytes:
    """The first :data:`SNIFF_BYTES` of ``path``; ParseError when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from exc


def iter_records(path: str | Path, fmt: DatasetFormat) -> Iterator[Record | BadRow]:
    """Stream the data rows of ``path`` as :class:`Record` or :class:`BadRow` (see the module docstring).

    A header lacking required columns, or a header-less file whose first row
    has the wrong number of fields, means the file is not in this format:
    :class:`~tripwire.errors.UnsupportedFormat`, before any row.
    """
    path = Path(path)
    head = read_head(path)
    check_bytes(head, path)
    if is_json(head):
        yield from _json_records(path, fmt)
    else:
        yield from _csv_records(path, fmt)


def _header(names: list[str], fmt: DatasetFormat, path: Path) -> list[str]:
    header = [fmt.aliases.get(n, n) for n in (clean(c).lower() for c in names)]
    missing = [c for c in fmt.required if c not in header]
    if missing:
        raise UnsupportedFormat(f"{path} is not a {fmt.label} export: its header lacks {', '.join(missing)}", detail={"missing": missing})
    return header


def _decode(row: list[str], raw: str) -> tuple[list[str], bool] | None:
    """The row with every non-UTF-8 field decoded as Windows-1252; None when a field is not that either."""
    if not _SURROGATE.search(raw):
        return row, False
    out = []
    for value in row:
        if _SURROGATE.search(value):
            try:
                value = value.encode("utf-8", "surrogateescape").decode("cp1252")
            except UnicodeDecodeError:
                return None
        out.append(value)
    return out, True


def _fields(names: list[str], values: list[str], missing: frozenset[str]) -> dict[str, str]:
    """Column -> value, every value whitespace-folded and the format's missing-value texts emptied.

    One look over the whole row first (fields joined by NUL, which is not
    whitespace): most rows need no folding, and then no field is searched.
    """
    if _UNCLEAN_ROW.search("\x00".join(values)):
        values = [" ".join(v.split()) if _UNCLEAN.search(v) else v for v in values]
    return {name: "" if value in missing else value for name, value in zip(names, values)}


def _is_hxl(row: list[str]) -> bool:
    tags = [c.strip() for c in row if c.strip()]
    return bool(tags) and all(t.startswith("#") for t in tags)


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


def _csv_records(path: Path, fmt: DatasetFormat) -> Iterator[Record | BadRow]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from exc
    missing = frozenset(fmt.missing)
    with handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline="")
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_LIMIT))
        lines = _Lines(iter(text))
        reader = csv.reader(lines, delimiter=fmt.delimiter, quoting=fmt.quoting)
        header: list[str] | None = list(fmt.columns) if fmt.columns else None
        data_rows = 0
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
                header = _header(row, fmt, path)
                continue
            if not data_rows and not fmt.has_header and len(row) != len(header):
                raise UnsupportedFormat(
                    f"{path} is not a {fmt.label} export: expected {len(header)} "
                    f"{'tab-' if fmt.delimiter == chr(9) else ''}separated columns, line {line} has {len(row)}"
                )
            if not data_rows and fmt.has_header and _is_hxl(row):
                continue
            data_rows += 1
            raw = fmt.delimiter.join(row)
            decoded = _decode(row, raw)
            if decoded is None:
                yield BadRow(line, "bytes that are neither UTF-8 nor Windows-1252 (was the file saved in another encoding?)")
                continue
            if len(row) != len(header) and len(lines.taken) > 1:
                again = lines.reread_after_first()
                yield BadRow(line, f"has {len(row)} fields where {len(header)} were expected: an unclosed quote ran on over {again} more line(s), which are read again on their own")
                continue
            if len(row) != len(header):
                yield BadRow(line, f"has {len(row)} fields where {len(header)} were expected")
                continue
            values, recoded = decoded
            yield Record(line, _fields(header, values, missing), raw, recoded)
        if header is None:
            raise ParseError(f"{path} holds no rows")


def _text(value: Any) -> str:
    """A JSON value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def json_items(data: Any, path: Path) -> list[Any]:
    """The list of records in a parsed JSON document (an API response or a bare list)."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in JSON_LISTS:
            if isinstance(data.get(key), list):
                return data[key]
        if data.get("error") or data.get("success") is False:
            raise UnsupportedFormat(f"{path} is an API error response, not data: {str(data.get('error') or data.get('messages'))[:200]}")
    raise UnsupportedFormat(f"{path} is JSON without a list of records (expected a list, or one under {', '.join(JSON_LISTS)})")


def _json_records(path: Path, fmt: DatasetFormat) -> Iterator[Record | BadRow]:
    if not fmt.has_header:
        raise UnsupportedFormat(f"{path} is JSON; {fmt.label} is read from its tab-separated export only")
    try:
        if path.stat().st_size > JSON_LIMIT:
            raise UnsupportedFormat(f"{path} is over {JSON_LIMIT // 2**20} MiB of JSON; import the dataset's CSV export instead")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ParseError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DecodeError(f"{path} is JSON that is not UTF-8 (byte {exc.start})") from exc
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"{path} is not valid JSON: {str(exc)[:200]}") from exc
    items = json_items(data, path)
    if items and isinstance(items[0], Mapping):
        _header(list(items[0]), fmt, path)
    missing = frozenset(fmt.missing)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            yield BadRow(number, f"record {number} is a JSON {type(item).__name__}, not an object")
            continue
        names = [fmt.aliases.get(n, n) for n in (clean(str(k)).lower() for k in item)]
        fields = _fields(names, [_text(v) for v in item.values()], missing)
        for column in fmt.required:
            fields.setdefault(column, "")
        yield Record(number, fields, json.dumps(item, ensure_ascii=False, sort_keys=True, default=str))
