"""Article text and metadata out of HTML pages.

The main text comes from trafilatura, which drops navigation, adverts, cookie
banners and comment threads; title, date, author and site name from its
metadata extractor. When trafilatura finds nothing (very short or broken
pages), a plain lxml pass keeps the visible text of the body minus scripts,
styles and page chrome. Malformed or truncated HTML never raises anything but
:class:`~tripwire.errors.ParseError`, and only when there is no text at all.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..errors import ParseError

#: Elements whose text is never article text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlArticle:
    """What one HTML page holds: its article text and whatever metadata it declares."""

    text: str
    title: str | None = None
    published: str | None = None
    author: str | None = None
    sitename: str | None = None


def declared_charset(data: bytes) -> str | None:
    """The charset named by a ``<meta>`` tag in the first 4 KiB, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment or page (lxml, without scripts, styles and page chrome)."""
    import lxml.html
    from lxml import etree

    if not markup.strip():
        return ""
    if "<" not in markup:
        return markup.strip()
    # lxml refuses XML-invalid control characters (e.g. \x01) when it edits the tree
    markup = _CONTROL_CHARS.sub(" ", markup)
    try:
        root = lxml.html.fromstring(markup)
        for bad in root.xpath("//" + " | //".join(CHROME_TAGS)):
            bad.drop_tree()
    except (etree.ParserError, ValueError):
        return ""
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "section", "article", "pre"}
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in blocks:
            el.tail = "\n\n" + (el.tail or "")
    text = root.text_content()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _fallback_title(markup: str) -> str | None:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fromstring(markup)
    except (etree.ParserError, ValueError):
        return None
    for path in ("//title", "//h1"):
        found = root.xpath(path)
        if found:
            title = _clean(found[0].text_content())
            if title:
                return title
    return None


_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate", "publishdate", "dc.date", "dc.date.issued", "sailthru.date")


def meta_published(markup: str) -> str | None:
    """The full timestamp a page declares in ``<meta>`` (``article:published_time`` and kin), if any.

    trafilatura keeps only the day; this keeps the time and offset when the page gives them.
    """
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fromstring(markup)
    except (etree.ParserError, ValueError):
        return None
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in _DATE_META and content and key not in found:
            found[key] = content
    return next((found[k] for k in _DATE_META if k in found), None)


def extract_article(markup: str, *, source: str, url: str | None = None) -> HtmlArticle:
    """The article in an HTML page; ParseError when the page has no text at all."""
    import trafilatura

    # trafilatura logs its own parse complaints; they are not ours to show.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    text: str | None = None
    meta = None
    try:
        text = trafilatura.extract(markup, url=url, include_comments=False, include_tables=True, deduplicate=False)
        meta = trafilatura.extract_metadata(markup, default_url=url)
    except Exception:  # noqa: BLE001 - trafilatura may fail in many ways on broken markup; we fall back below
        text = text or None
    title = _clean(getattr(meta, "title", None))
    if not text or not text.strip():
        text = html_to_text(markup)
    if not text.strip():
        raise ParseError(f"{source} has no readable text (empty or not HTML)", detail={"source": source})
    return HtmlArticle(
        text=text.strip(),
        title=title or _fallback_title(markup),
        published=meta_published(markup) or _clean(getattr(meta, "date", None)),
        author=_clean(getattr(meta, "author", None)),
        sitename=_clean(getattr(meta, "sitename", None)),
    )
