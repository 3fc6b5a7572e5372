"""Reading files: text with front matter, HTML with junk, RSS and Atom feeds, bad inputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tripwire.errors import DecodeError, DocumentTooLarge, ParseError, UnsupportedFormat
from tripwire.ingest import load_file
from tripwire.ingest.loading import load_path
from tripwire.ingest.readers import parse_url_list, sniff, split_front_matter
from tripwire.model import content_hash
from tripwire.settings import Settings

UTC = dt.timezone.utc


def test_front_matter_article(fixtures: Path) -> None:
    [item] = load_path(fixtures / "airport.md", settings=Settings(environ={}))
    doc = item.document
    assert doc.title == "Airport road strike kills convoy passengers"
    assert (doc.outlet, doc.author) == ("Example Wire", "Staff reporter")
    assert doc.published == dt.datetime(2020, 1, 3, 1, 20, tzinfo=UTC)
    assert doc.media_type == "text/markdown" and doc.kind == "article"
    assert doc.text.startswith("# Airport road strike") and "---" not in doc.text and "outlet:" not in doc.text
    assert doc.id == content_hash(doc.text)
    assert doc.location == str((fixtures / "airport.md").resolve())
    assert item.also_at == ("https://wire.example.com/2020/01/03/airport-road",)
    assert len(doc.raw_sha256 or "") == 64 and doc.retrieved_at is not None


def test_nonsense_front_matter_date_keeps_document_and_warns(fixtures: Path) -> None:
    [item] = load_path(fixtures / "bad_date.md", settings=Settings(environ={}))
    assert item.document.published is None
    assert item.document.title == "Market reopens after curfew"
    assert any("2019-13-45" in w for w in item.warnings)


@pytest.mark.parametrize(
    ("name", "title", "needle"),
    [
        ("cp1252.txt", "Shelling resumes in the old quarter", "\u201cWe will not be intimidated,\u201d said the caf\u00e9 owner"),
        ("utf16.txt", "Talks postponed in Geneva", "the r\u00e9union would resume"),
    ],
)
def test_legacy_encodings(fixtures: Path, name: str, title: str, needle: str) -> None:
    [doc] = load_file(fixtures / name, settings=Settings(environ={}))
    assert doc.title == title
    assert needle in doc.text


def test_plain_text_title_is_first_line(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("\n\n  Curfew lifted in the north  \nResidents returned to the streets on Monday.\n", encoding="utf-8")
    [doc] = load_file(path)
    assert doc.title == "Curfew lifted in the north" and doc.published is None and doc.media_type == "text/plain"


def test_html_article_drops_page_junk_and_reads_metadata(fixtures: Path) -> None:
    [doc] = load_file(fixtures / "article.html")
    assert doc.title == "Drone strike reported near border crossing"
    assert (doc.outlet, doc.author) == ("The Daily Ledger", "Mara Okafor")
    assert doc.published == dt.datetime(2020, 1, 4, 5, 15, tzinfo=UTC)
    assert "four people were killed" in doc.text and "Traffic resumed on Saturday afternoon" in doc.text
    for junk in ("ADVERTISEMENT", "cookies", "Subscribe now", "Ten recipes", "All rights reserved", "dataLayer", "ad-slot"):
        assert junk not in doc.text
    assert doc.media_type == "text/html"


def test_truncated_html_still_yields_its_text(fixtures: Path) -> None:
    [doc] = load_file(fixtures / "truncated.html")
    assert doc.title == "Protest outside consulate"
    assert "two people were detained" in doc.text and "News" not in doc.text.split("\n")[0]


@pytest.mark.parametrize("markup", ["<html><body><p>Short note: the checkpoint reopened.</p>", "<div><p>Unclosed <b>bold <i>text</div></p>", "<<<>>> Bulletin & more <p"])
def test_malformed_html_does_not_crash(tmp_path: Path, markup: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(markup, encoding="utf-8")
    [doc] = load_file(path)
    assert doc.text.strip()


@pytest.mark.parametrize("markup", ["", "   \n ", "<html><head><script>var a = 1;</script></head><body></body></html>"])
def test_html_without_text_is_a_parse_error(tmp_path: Path, markup: str) -> None:
    path = tmp_path / "empty.html"
    path.write_text(markup, encoding="utf-8")
    with pytest.raises(ParseError, match="no readable text"):
        load_file(path)


def test_atom_feed_one_document_per_entry(fixtures: Path) -> None:
    items = load_path(fixtures / "wire.atom", settings=Settings(environ={}))
    docs = [i.document for i in items]
    assert [d.title for d in docs] == ["Rockets land inside airport perimeter", "Convoy attacked on southern highway", "Statement expected after cabinet meeting"]
    assert {d.kind for d in docs} == {"feed-item"} and {d.outlet for d in docs} == {"Gulf Security Monitor"}
    assert {d.media_type for d in docs} == {"application/atom+xml"}
    assert docs[0].published == dt.datetime(2020, 1, 5, 18, 40, tzinfo=UTC)
    assert docs[0].text.startswith("Two rockets fell") and "<b>" not in docs[0].text
    assert "One driver was injured" in docs[1].text  # full content preferred over summary
    assert docs[2].published is None and any("2019-13-45" in w for w in items[2].warnings)
    assert docs[1].location == "https://monitor.example.org/2020/01/06/convoy"
    assert items[1].also_at == (str((fixtures / "wire.atom").resolve()),)
    assert len({d.id for d in docs}) == 3


def test_rss_feed(fixtures: Path) -> None:
    docs = load_file(fixtures / "wire.rss")
    assert [d.outlet for d in docs] == ["Eastern Desk Radio"] * 2
    assert [d.published for d in docs] == [dt.datetime(2020, 1, 5, 14, 30, tzinfo=UTC), dt.datetime(2020, 1, 8, 15, 0, tzinfo=UTC)]
    assert docs[1].text == "Leaders of several armed factions said they would halt operations for the time being, pending talks."
    assert docs[0].media_type == "application/rss+xml"


def test_feed_is_sniffed_whatever_its_suffix(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "download.bin"
    path.write_bytes((fixtures / "wire.rss").read_bytes())
    assert len(load_file(path)) == 2
    xml_html = tmp_path / "page.xml"
    xml_html.write_bytes((fixtures / "article.html").read_bytes())
    assert load_file(xml_html)[0].media_type == "text/html"


@pytest.mark.parametrize(
    ("name", "content", "error", "message"),
    [
        ("broken.rss", None, ParseError, "not a readable RSS/Atom feed"),
        ("binary.txt", None, DecodeError, "binary.txt is binary data"),
        ("notes.xml", b"<?xml version='1.0'?><inventory><item>spanner</item></inventory>", ParseError, "XML but not an RSS/Atom feed"),
        ("scan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", UnsupportedFormat, "neither an article"),
        ("empty.txt", b"\n\n   \n", ParseError, "has no text"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, fixtures: Path, name: str, content: bytes | None, error: type, message: str) -> None:
    path = fixtures / name if content is None else tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(error, match=message):
        load_file(path)


def test_size_limit_from_settings(fixtures: Path) -> None:
    with pytest.raises(DocumentTooLarge, match="max_document_bytes"):
        load_file(fixtures / "article.html", settings=Settings({"max_document_bytes": 500}, environ={}))


def test_unclosed_front_matter_is_read_as_text() -> None:
    fields, body, warnings = split_front_matter("---\ntitle: x\nno end here\n")
    assert fields == {} and body.startswith("---") and "never closes" in warnings[0]


@given(
    title=st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60).filter(lambda t: t.strip() == t and t[:1] not in "\"'"),
    author=st.text("abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=20).map(str.strip).filter(bool),
)
def test_front_matter_values_round_trip(title: str, author: str) -> None:
    fields, body, warnings = split_front_matter(f"---\ntitle: {title}\nauthor: {author}\nmood: calm\n---\nBody text.")
    assert fields == {"title": title, "author": author}
    assert body == "Body text."
    assert len(warnings) == 1 and "mood" in warnings[0]


def test_url_list_parsing() -> None:
    assert parse_url_list("# daily sources\nhttps://a.example/x\n\n  https://b.example/y  \n   # indented comment\n") == ["https://a.example/x", "https://b.example/y"]


@pytest.mark.parametrize(("head", "kind"), [(b"<?xml version='1.0'?>\n<rss version='2.0'>", "feed"), (b"\xef\xbb\xbf<feed xmlns='x'>", "feed"), (b"<!DOCTYPE html><html>", "html"), (b"Just words.", None)])
def test_sniff(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind
