"""Turning files and fetched bytes into :class:`~tripwire.model.Document` objects.

Supported inputs (see ``docs/ingest.md``):

* ``.txt``/``.text``/``.md``/``.markdown`` -- an article; optional front matter
  (``---`` lines around ``key: value`` pairs: title, outlet, published, author, url);
  otherwise the first Markdown heading, or the first line, is the title;
* ``.html``/``.htm``/``.xhtml`` -- an article page (trafilatura);
* ``.xml``/``.rss``/``.atom`` -- an RSS or Atom feed, one document per entry
  (``.xml`` that turns out to be HTML is read as HTML);
* ``.urls``/``.list`` -- one URL per line (``#`` comments), each fetched.

Files with other suffixes are sniffed: feeds and HTML are recognised by their
first bytes; anything else is :class:`~tripwire.errors.UnsupportedFormat`.
A date that cannot be real leaves ``published`` empty and adds a warning; it
never stops the document from being read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DateError, ParseError, UnsupportedFormat
from ..model import Document
from ..settings import Settings
from .dates import parse_date
from .encoding import decode, looks_binary, read_limited
from .feeds import parse_feed
from .html import declared_charset, extract_article

log = logging.getLogger("tripwire.ingest")

TEXT_SUFFIXES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
URL_LIST_SUFFIXES = {".urls", ".list"}
SUPPORTED_SUFFIXES = frozenset(TEXT_SUFFIXES) | HTML_SUFFIXES | FEED_SUFFIXES | URL_LIST_SUFFIXES
FRONT_MATTER_KEYS = {"title": "title", "outlet": "outlet", "published": "published", "date": "published", "author": "author", "url": "url", "source": "url"}
MAX_TITLE_CHARS = 300

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Loaded:
    """A document as read, with the other places it is known at and any warnings about it."""

    document: Document
    also_at: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def sniff(data: bytes) -> str | None:
    """``feed``, ``html`` or None, judged from the first bytes."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"\x00" in head[:200]:  # UTF-16: look at the ASCII bytes only
        head = head.replace(b"\x00", b"")
    if re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head):
        return "feed"
    if re.search(rb"<(!doctype html|html|head|body|article|p|div)[\s>]", head):
        return "html"
    return None


def _date(value: object, settings: Settings, warnings: list[str]) -> dt.datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_date(value, default_timezone=settings.default_timezone)
    except DateError as exc:
        warnings.append(f"publication date ignored: {exc.message}")
        return None


def split_front_matter(text: str) -> tuple[dict[str, str], str, list[str]]:
    """``(fields, body, warnings)``: a leading ``---`` block of ``key: value`` lines, parsed simply."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text, []
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text, ["a front matter block opens with --- but never closes; read as plain text"]
    fields: dict[str, str] = {}
    warnings: list[str] = []
    for n, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in FRONT_MATTER_KEYS:
            warnings.append(f"front matter line {n} ignored: {line.strip()[:60]!r} (known keys: title, outlet, published, author, url)")
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields[FRONT_MATTER_KEYS[key]] = value
    return fields, "\n".join(lines[end + 1 :]), warnings


def _title_from_body(body: str, markdown: bool) -> str | None:
    for line in body.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if markdown and stripped.startswith("#"):
            return stripped.lstrip("#").strip()[:MAX_TITLE_CHARS] or None
        if markdown:
            heading = re.search(r"^#{1,6}\s+(.+)$", body, re.MULTILINE)
            if heading:
                return heading.group(1).strip()[:MAX_TITLE_CHARS]
        return stripped[:MAX_TITLE_CHARS]
    return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _text_document(data: bytes, *, location: str, media_type: str, settings: Settings, declared: str | None = None) -> list[Loaded]:
    text, _encoding = decode(data, source=location, declared=declared)
    fields, body, warnings = split_front_matter(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not body.strip():
        raise ParseError(f"{location} has no text", detail={"source": location})
    doc = Document.from_text(
        body.strip(),
        location=location,
        title=fields.get("title") or _title_from_body(body, media_type == "text/markdown"),
        outlet=fields.get("outlet") or None,
        author=fields.get("author") or None,
        published=_date(fields.get("published"), settings, warnings),
        media_type=media_type,
        kind="article",
        raw_sha256=hashlib.sha256(data).hexdigest(),
        retrieved_at=_now(),
    )
    also = (fields["url"],) if fields.get("url") and fields["url"] != location else ()
    return [Loaded(doc, also, tuple(warnings))]


def _html_document(data: bytes, *, location: str, settings: Settings, declared: str | None = None, url: str | None = None) -> list[Loaded]:
    markup, _encoding = decode(data, source=location, declared=declared or declared_charset(data))
    article = extract_article(markup, source=location, url=url)
    warnings: list[str] = []
    doc = Document.from_text(
        article.text,
        location=location,
        title=article.title,
        outlet=article.sitename,
        author=article.author,
        published=_date(article.published, settings, warnings),
        media_type="text/html",
        kind="article",
        raw_sha256=hashlib.sha256(data).hexdigest(),
        retrieved_at=_now(),
    )
    return [Loaded(doc, (), tuple(warnings))]


def _feed_documents(data: bytes, *, location: str, settings: Settings) -> list[Loaded]:
    if looks_binary(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        decode(data, source=location)  # raises the DecodeError with the path
    feed = parse_feed(data, source=location)
    raw = hashlib.sha256(data).hexdigest()
    now = _now()
    out: list[Loaded] = []
    for i, entry in enumerate(feed.entries):
        warnings = list(feed.warnings) if i == 0 else []
        where = entry.link or f"{location}#{entry.entry_id or i + 1}"
        doc = Document.from_text(
            entry.text,
            location=where,
            title=entry.title,
            outlet=feed.title,
            author=entry.author,
            published=_date(entry.published, settings, warnings),
            media_type=feed.media_type,
            kind="feed-item",
            raw_sha256=raw,
            retrieved_at=now,
        )
        out.append(Loaded(doc, (location,) if where != location else (), tuple(warnings)))
    if not out and feed.warnings:
        log.warning("%s: %s", location, "; ".join(feed.warnings))
    return out


def parse_url_list(text: str) -> list[str]:
    """The URLs in a ``.urls``/``.list`` file: one per line, blank lines and ``#`` comments skipped."""
    urls = []
    for line in text.split("\n"):
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if line:
            urls.append(line)
    return urls


def load_bytes(data: bytes, *, location: str, kind: str | None, settings: Settings, declared: str | None = None, url: str | None = None) -> list[Loaded]:
    """Documents from ``data`` read at ``location``; ``kind`` is text/markdown/html/feed or None to sniff."""
    if kind is None or kind == "xml":
        sniffed = sniff(data)
        if sniffed is None:
            if kind == "xml":
                return _feed_documents(data, location=location, settings=settings)  # the feed parser gives the clear error
            raise UnsupportedFormat(f"{location} is neither an article (.txt/.md/.html) nor an RSS/Atom feed", detail={"source": location})
        kind = sniffed
    if kind == "feed":
        return _feed_documents(data, location=location, settings=settings)
    if kind == "html":
        return _html_document(data, location=location, settings=settings, declared=declared, url=url)
    media = "text/markdown" if kind == "markdown" else "text/plain"
    return _text_document(data, location=location, media_type=media, settings=settings, declared=declared)


def kind_for_suffix(suffix: str) -> str | None:
    """The reader a file suffix selects (None: sniff the content)."""
    suffix = suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "markdown" if TEXT_SUFFIXES[suffix] == "text/markdown" else "text"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in (".rss", ".atom"):
        return "feed"
    if suffix == ".xml":
        return "xml"
    if suffix in URL_LIST_SUFFIXES:
        return "urls"
    return None


def read_url_list(path: str | Path, *, settings: Settings) -> list[str]:
    """The URLs listed in a ``.urls``/``.list`` file."""
    path = Path(path)
    data = read_limited(path, settings.max_document_bytes)
    text, _ = decode(data, source=str(path))
    return parse_url_list(text.replace("\r\n", "\n"))
