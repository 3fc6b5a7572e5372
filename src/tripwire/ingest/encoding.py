"""Reading bytes safely and turning them into text.

:func:`read_limited` refuses files over the size limit before reading them
whole. :func:`decode` decides the encoding in a fixed, documented order:

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) wins;
2. bytes that are not text at all (many NULs or control bytes) are refused,
   except UTF-16 without a BOM, recognised by its regular pattern of NULs;
3. strict UTF-8;
4. the charset the source declared (HTTP header, ``<meta charset>``), if it decodes;
5. strict Windows-1252 (the usual encoding of Western text that is not UTF-8);
6. charset-normalizer's best guess;
7. otherwise :class:`~tripwire.errors.DecodeError`.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path

from ..errors import DecodeError, DocumentTooLarge, InputError

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Share of control bytes (other than tab, newline, carriage return, form feed, escape) above which bytes are binary.
MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_CONTROL_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f-\x9f]")


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path``; DocumentTooLarge if it holds more than ``limit`` bytes (checked before reading)."""
    path = Path(path)
    try:
        size = os.stat(path).st_size
        if size > limit:
            raise DocumentTooLarge(f"{path} is {size:,} bytes, over the {limit:,}-byte limit (setting max_document_bytes)", detail={"path": str(path), "size": size, "limit": limit})
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)  # a file that grew, or a device, still cannot exceed the limit
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", detail={"path": str(path)}) from exc
    if len(data) > limit:
        raise DocumentTooLarge(f"{path} is over the {limit:,}-byte limit (setting max_document_bytes)", detail={"path": str(path), "limit": limit})
    return data


def _utf16_without_bom(data: bytes) -> str | None:
    """The UTF-16 encoding of BOM-less ``data`` whose NULs sit in every other byte, if any."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True when ``data`` has too many NUL/control bytes to be text in a single-byte or UTF-8 encoding."""
    sample = data[:65536]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) > MAX_CONTROL_SHARE * len(sample)


def _check_text(text: str, source: str, encoding: str) -> str:
    sample = text[:65536]
    if sample and len(_CONTROL_TEXT.findall(sample)) > MAX_CONTROL_SHARE * len(sample):
        raise DecodeError(f"{source} does not look like text (decoded as {encoding}, it is mostly control characters)", detail={"source": source})
    return text.replace("\x00", "")


def decode(data: bytes, *, source: str, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` for ``data`` read from ``source``; DecodeError when it is not text."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data[len(bom) :].decode(encoding), source, encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(f"{source} starts with a {encoding} byte-order mark but is not valid {encoding}: {exc.reason} at byte {exc.start}", detail={"source": source}) from exc
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _check_text(data.decode(utf16), source, utf16), utf16
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise DecodeError(f"{source} is binary data, not text (too many NUL/control bytes)", detail={"source": source})
    candidates = ["utf-8"]
    if declared:
        try:
            candidates.append(codecs.lookup(declared).name)
        except LookupError:
            pass
    candidates.append("cp1252")
    for encoding in candidates:
        try:
            return _check_text(data.decode(encoding), source, encoding), encoding
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset-normalizer ships with requests/trafilatura
        best = None
    else:
        best = from_bytes(data).best()
    if best is not None and best.encoding:
        return _check_text(str(best), source, best.encoding), best.encoding
    raise DecodeError(f"{source} is not text in any encoding Tripwire accepts (UTF-8, UTF-16, Windows-1252 and others tried)", detail={"source": source})
