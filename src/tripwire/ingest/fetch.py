"""Fetching articles and feeds over HTTP(S) with the standard library.

:func:`load_url` downloads with the ``http_timeout`` setting per network wait
and the ``http_deadline`` setting for the whole download, refuses bodies over
``max_document_bytes`` while streaming (before holding them whole), and picks
the reader from the ``Content-Type`` header, falling back to sniffing the
bytes and then to the URL's suffix. Where a download may go (http(s) on every
redirect hop, public addresses only unless ``allow_private_addresses``) is
:mod:`tripwire.ingest.guard`'s job.
"""

from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import PurePosixPath
from typing import NoReturn

from .. import __version__
from ..errors import DocumentTooLarge, FetchError, UnsupportedFormat
from ..model import Document
from ..settings import Settings
from .guard import Deadline, DeadlineExceeded, RefusedAddress, RefusedRedirect, guarded_opener
from .readers import Loaded, kind_for_suffix, load_bytes, sniff

log = logging.getLogger("tripwire.ingest")

USER_AGENT = f"tripwire/{__version__} (+https://github.com/tripwire)"
CHUNK = 64 * 1024
#: Content types refused outright (besides image/*, audio/*, video/*, font/*).
NOT_TEXT_TYPES = frozenset({"application/pdf", "application/zip", "application/gzip", "application/msword"})
_TYPE_KIND = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "text",
    "text/markdown": "markdown",
}


@dataclass(frozen=True)
class Fetched:
    """A downloaded body with the URL it finally came from and its declared type."""

    url: str
    data: bytes
    content_type: str | None
    charset: str | None


def is_url(source: str) -> bool:
    """True for ``http://`` and ``https://`` addresses."""
    return urllib.parse.urlsplit(str(source)).scheme.lower() in ("http", "https")


def fetch(url: str, *, settings: Settings) -> Fetched:
    """Download ``url``; FetchError on network/HTTP failure or a refused address/redirect, DocumentTooLarge over the limit."""
    if not is_url(url):
        raise UnsupportedFormat(f"{url!r} is not an http(s) URL", detail={"url": url})
    limit = settings.max_document_bytes
    deadline = Deadline(seconds=float(settings.http_deadline), timeout=float(settings.http_timeout))
    opener = guarded_opener(allow_private=bool(settings.allow_private_addresses), deadline=deadline)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, application/rss+xml, application/atom+xml, application/xml, text/plain;q=0.9, */*;q=0.5"})
    try:
        with opener.open(request, timeout=deadline.next_timeout()) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise DocumentTooLarge(f"{url} is {int(length):,} bytes, over the {limit:,}-byte limit (setting max_document_bytes)", detail={"url": url, "limit": limit})
            chunks: list[bytes] = []
            size = 0
            while True:
                deadline.tighten()
                chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise DocumentTooLarge(f"{url} sent more than the {limit:,}-byte limit (setting max_document_bytes)", detail={"url": url, "limit": limit})
                chunks.append(chunk)
            headers: Message = response.headers
            return Fetched(url=response.geturl(), data=b"".join(chunks), content_type=headers.get_content_type() if headers.get("Content-Type") else None, charset=headers.get_content_charset())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} answered HTTP {exc.code} {exc.reason}", detail={"url": url, "status": exc.code}) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, BaseException):
            _raise_for(url, reason, settings, deadline)
        raise FetchError(f"cannot fetch {url}: {reason}", detail={"url": url}) from None
    except (OSError, ValueError) as exc:  # refused redirect, timeout or reset mid-body, malformed URL
        _raise_for(url, exc, settings, deadline)


def _raise_for(url: str, exc: BaseException, settings: Settings, deadline: Deadline) -> NoReturn:
    """The FetchError for a low-level failure while downloading ``url``."""
    if isinstance(exc, (RefusedAddress, RefusedRedirect)):
        refusal = "address" if isinstance(exc, RefusedAddress) else "redirect"
        raise FetchError(f"refused to fetch {url}: {exc}", detail={"url": url, "refused": refusal}) from None
    if isinstance(exc, DeadlineExceeded) or (isinstance(exc, (TimeoutError, socket.timeout)) and deadline.expired()):
        raise FetchError(f"{url} took longer than {settings.http_deadline:g} s in all (setting http_deadline)", detail={"url": url}) from None
    if isinstance(exc, (TimeoutError, socket.timeout)):
        raise FetchError(f"{url} did not answer within {settings.http_timeout:g} s (setting http_timeout)", detail={"url": url}) from None
    raise FetchError(f"cannot fetch {url}: {exc}", detail={"url": url}) from None


def _kind(fetched: Fetched) -> str | None:
    kind = _TYPE_KIND.get(fetched.content_type or "")
    if kind in (None, "xml", "text"):
        sniffed = sniff(fetched.data)
        if sniffed:
            return sniffed
    if kind is None:
        kind = kind_for_suffix(PurePosixPath(urllib.parse.urlsplit(fetched.url).path).suffix)
        if kind == "urls":
            kind = "text"
    return kind


def fetch_documents(url: str, *, settings: Settings) -> list[Loaded]:
    """Documents at ``url``, with the redirect target (if any) recorded as a second location."""
    fetched = fetch(url, settings=settings)
    ctype = fetched.content_type or ""
    if ctype.split("/")[0] in ("image", "audio", "video", "font") or ctype in NOT_TEXT_TYPES:
        raise UnsupportedFormat(f"{url} is {ctype}, not an article or feed", detail={"url": url, "content_type": ctype})
    loaded = load_bytes(fetched.data, location=url, kind=_kind(fetched), settings=settings, declared=fetched.charset, url=fetched.url)
    if fetched.url != url:
        loaded = [Loaded(item.document, (*item.also_at, fetched.url), item.warnings) for item in loaded]
    return loaded


def load_url(url: str, *, settings: Settings | None = None) -> list[Document]:
    """Documents at an http(s) URL: an article page, a text file or a feed."""
    loaded = fetch_documents(url, settings=settings or Settings())
    for item in loaded:
        for warning in item.warnings:
            log.warning("%s: %s", item.document.location, warning)
    return [item.document for item in loaded]
