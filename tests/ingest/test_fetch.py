"""Fetching URLs from a local HTTP server: types, charsets, redirects, limits, timeouts, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from tripwire.errors import DocumentTooLarge, FetchError, UnsupportedFormat
from tripwire.ingest import load_url
from tripwire.ingest.fetch import fetch_documents
from tripwire.settings import Settings

#: the test server listens on 127.0.0.1, which downloads may reach only when allowed
LOCAL = Settings({"allow_private_addresses": True}, environ={})


def test_html_page(http_base: str) -> None:
    [doc] = load_url(f"{http_base}/news/drone-strike", settings=LOCAL)
    assert doc.title == "Drone strike reported near border crossing"
    assert doc.location == f"{http_base}/news/drone-strike" and doc.media_type == "text/html"


@pytest.mark.parametrize(("path", "n", "media"), [("/feeds/desk.rss", 2, "application/rss+xml"), ("/feeds/monitor", 3, "application/atom+xml")])
def test_feeds_by_content_type_or_sniffing(http_base: str, path: str, n: int, media: str) -> None:
    docs = load_url(http_base + path, settings=LOCAL)
    assert len(docs) == n and {d.media_type for d in docs} == {media} and {d.kind for d in docs} == {"feed-item"}


def test_charset_from_header(http_base: str) -> None:
    [doc] = load_url(f"{http_base}/plain/shelling.txt", settings=LOCAL)
    assert "caf\u00e9 owner" in doc.text and doc.published is None


def test_untyped_response_is_sniffed(http_base: str) -> None:
    [doc] = load_url(f"{http_base}/untyped/report", settings=LOCAL)
    assert doc.media_type == "text/html" and doc.published == dt.datetime(2020, 1, 4, 5, 15, tzinfo=dt.timezone.utc)


def test_redirect_target_is_recorded(http_base: str) -> None:
    [item] = fetch_documents(f"{http_base}/moved", settings=LOCAL)
    assert item.document.location == f"{http_base}/moved"
    assert item.also_at == (f"{http_base}/news/drone-strike",)


@pytest.mark.parametrize(
    ("path", "settings", "error", "message"),
    [
        ("/gone", {}, FetchError, "HTTP 404"),
        ("/huge", {"max_document_bytes": 50_000}, DocumentTooLarge, "more than the 50,000-byte limit"),
        ("/news/drone-strike", {"max_document_bytes": 1_000}, DocumentTooLarge, "over the 1,000-byte limit"),
        ("/slow", {"http_timeout": 0.3}, FetchError, "did not answer within 0.3 s"),
        ("/image.png", {}, UnsupportedFormat, "is image/png, not an article"),
    ],
)
def test_fetch_failures(http_base: str, path: str, settings: dict, error: type, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(error, match=message):
        load_url(http_base + path, settings=Settings({"allow_private_addresses": True, **settings}, environ={}))


def test_refused_connection_and_bad_scheme() -> None:
    with pytest.raises(FetchError, match="cannot fetch"):
        load_url("http://127.0.0.1:1/nothing", settings=Settings({"http_timeout": 2, "allow_private_addresses": True}, environ={}))
    with pytest.raises(UnsupportedFormat, match="not an http"):
        load_url("ftp://example.org/file.txt")
