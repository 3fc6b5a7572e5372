"""RSS and Atom feeds: one entry, one feed-item document.

Parsing is feedparser's; each entry's text is its full content when the feed
carries it, else its summary (HTML reduced to text), else its title. The
entry's link (or the feed location plus the entry id) is the document's
location, and the feed itself is recorded as a second place it was seen.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParseError
from .html import html_to_text

FEED_MEDIA_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "rdf": "application/rdf+xml"}


@dataclass(frozen=True)
class FeedEntry:
    """The parts of one feed entry a document is made from."""

    text: str
    title: str | None
    link: str | None
    entry_id: str | None
    published: object | None  # raw date string, or a struct_time when only that is available
    author: str | None


@dataclass(frozen=True)
class Feed:
    """A parsed feed: its title, media type and entries."""

    title: str | None
    media_type: str
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...] = ()


def _entry_text(entry: dict) -> str:  # type: ignore[type-arg]
    for block in entry.get("content") or []:
        text = html_to_text(block.get("value") or "")
        if text:
            return text
    return html_to_text(entry.get("summary") or "")


def parse_feed(data: bytes, *, source: str) -> Feed:
    """Parse RSS/Atom bytes; ParseError for a broken feed with no entries."""
    import feedparser

    try:
        parsed = feedparser.parse(data)
    except (UnicodeError, ValueError) as exc:  # e.g. a bad encoding name or a lone surrogate reference
        raise ParseError(f"{source} is not a readable RSS/Atom feed: {type(exc).__name__}: {exc}", detail={"source": source}) from exc
    if not parsed.entries and parsed.get("bozo"):
        reason = parsed.get("bozo_exception")
        raise ParseError(f"{source} is not a readable RSS/Atom feed: {reason}", detail={"source": source})
    if not parsed.get("version"):
        raise ParseError(f"{source} is XML but not an RSS/Atom feed", detail={"source": source})
    version = parsed.get("version") or ""
    media_type = next((t for key, t in FEED_MEDIA_TYPES.items() if version.startswith(key)), "application/xml")
    warnings: list[str] = []
    if parsed.get("bozo") and parsed.entries:
        warnings.append(f"feed is malformed ({parsed.get('bozo_exception')}); read {len(parsed.entries)} entries anyway")
    entries = []
    for i, entry in enumerate(parsed.entries):
        title = " ".join((entry.get("title") or "").split()) or None
        text = _entry_text(entry) or (title or "")
        if not text:
            warnings.append(f"entry {i + 1} has neither text nor title; skipped")
            continue
        # dict.get, not FeedParserDict.get: the latter maps updated_parsed to published_parsed with a DeprecationWarning
        published = next((dict.get(entry, key) for key in ("published", "updated", "published_parsed", "updated_parsed") if dict.get(entry, key)), None)
        entries.append(FeedEntry(text=text, title=title, link=entry.get("link") or None, entry_id=entry.get("id") or None, published=published, author=entry.get("author") or None))
    feed_title = " ".join((parsed.feed.get("title") or "").split()) or None
    return Feed(title=feed_title, media_type=media_type, entries=tuple(entries), warnings=tuple(warnings))
