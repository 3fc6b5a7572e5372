"""Fuzzing the ingest readers with hostile files: only Tripwire errors come out, and nothing half-stored.

``load_file`` gets random bytes under every supported suffix, truncated and
mangled HTML, broken RSS/Atom feeds (bad character references, entity bombs,
external entities), text in the wrong encoding and files with enormous lines.
It must return whole documents (text hashing to the id) or raise a
:class:`~tripwire.errors.TripwireError`. ``ingest`` over the same file must then
store exactly the documents ``load_file`` returned -- all of each, or none --
on SQLite and on PostgreSQL (``reusable_db_url``; PostgreSQL refuses NUL, which
``&#0;`` and stray NUL bytes produce).
"""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.errors import DocumentTooLarge, TripwireError
from tripwire.ingest import SUPPORTED_SUFFIXES, ingest, load_file
from tripwire.model import Document, content_hash
from tripwire.settings import Settings

from ..postgres import empty_store

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EXAMPLES = Path(str(resources.files("tripwire") / "examples"))
HTML = (EXAMPLES / "articles" / "2020-01-03-baghdad-airport-strike.html").read_bytes()
FEED = (EXAMPLES / "feeds" / "theatre-wire.xml").read_bytes()
MARKDOWN = (EXAMPLES / "articles" / "2019-12-28-k1-rocket-attack.md").read_bytes()
SETTINGS = Settings({"max_document_bytes": 3_000_000}, environ={})
SUFFIXES = sorted(SUPPORTED_SUFFIXES - {".urls", ".list"}) + [".dat", ""]


def load(data: bytes, suffix: str) -> list[Document] | TripwireError:
    """``load_file`` on ``data`` saved with ``suffix``: its documents, or the Tripwire error it raised."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzzed{suffix}"
        path.write_bytes(data)
        try:
            docs = load_file(path, settings=SETTINGS)
        except TripwireError as exc:
            assert str(exc), "an error must say what is wrong"
            return exc
        for doc in docs:
            assert doc.text.strip(), "an empty document was produced"
            assert doc.id == content_hash(doc.text)
        return docs


def load_and_ingest(data: bytes, suffix: str, url: str = "sqlite://") -> None:
    """``ingest`` into the store at ``url`` stores exactly what ``load_file`` read: every document whole, or nothing."""
    expected = load(data, suffix)
    with tempfile.TemporaryDirectory() as tmp, empty_store(url) as store:
        path = Path(tmp) / f"fuzzed{suffix}"
        path.write_bytes(data)
        report = ingest(store, [path], settings=SETTINGS)
        stored = store.list_documents(limit=10_000)
        if isinstance(expected, TripwireError):
            assert stored == [] and report.added == () and len(report.failed) == 1
            return
        assert report.failed == ()
        assert {d.id: d.text for d in stored} == {d.id: d.text for d in expected}
        for doc in stored:
            assert content_hash(doc.text) == doc.id


def mutate(data: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    """``data`` with each (position, replacement) applied: bytes inserted or overwritten there."""
    out = bytearray(data)
    for pos, junk in cuts:
        at = pos % (len(out) + 1)
        out[at : at + len(junk) // 2] = junk
    return bytes(out)


HOSTILE_XML = st.sampled_from(
    [
        b"&#xD800;", b"&#55296;", b"&#0;", b"&#x110000;", b"&#xFFFE;", b"&amp", b"&nbsp;", b"&undefined;",
        b"<![CDATA[", b"]]>", b"<item>", b"</item>", b"<entry>", b"<title>", b"</channel>", b"<?xml version='1.0'?>",
        b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', b"&b;",
        b'<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>', b"&ext;", b"\x00", b"\xff\xfe", b"\xc3(",
        b'encoding="utf-16"', b'encoding="bogus-charset"', b"<description>", b"<pubDate>Mon, 45 Foo 99999</pubDate>",
    ]
)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_random_bytes_under_any_suffix(data: bytes, suffix: str) -> None:
    load(data, suffix)


@FUZZ
@given(st.integers(0, len(HTML)), st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from([b"<", b">", b"</p>", b"<script>", b"<!--", b"\xff", b"&#0;", b"<meta charset='utf-16'>", b"<meta charset='nope'>"])), max_size=6))
def test_truncated_and_mangled_html(reusable_db_url: str, end: int, cuts: list[tuple[int, bytes]]) -> None:
    load_and_ingest(mutate(HTML[:end], cuts), ".html", reusable_db_url)


@FUZZ
@given(st.integers(0, len(FEED)), st.lists(st.tuples(st.integers(0, 10**6), HOSTILE_XML), max_size=6), st.sampled_from([".xml", ".rss", ".atom"]))
def test_broken_feeds(reusable_db_url: str, end: int, cuts: list[tuple[int, bytes]], suffix: str) -> None:
    data = mutate(FEED[:end], cuts)
    result = load(data, suffix)
    if not isinstance(result, TripwireError):
        assert all("root:x:0:0" not in d.text for d in result), "an external entity was expanded"
    load_and_ingest(data, suffix, reusable_db_url)


@FUZZ
@given(
    st.text(min_size=1, max_size=400),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "koi8-r", "shift_jis", "gb18030"]),
    st.sampled_from([".md", ".txt", ".html"]),
)
def test_text_in_any_encoding(text: str, encoding: str, suffix: str) -> None:
    data = text.encode(encoding, errors="replace")
    if suffix == ".html":
        data = b"<html><head><meta charset='utf-8'></head><body><article><p>" + data + b"</p></article></body></html>"
    result = load(data, suffix)
    bom_less = encoding in {"utf-16-le", "utf-16-be"}
    if bom_less and b"\x00" not in data:
        return  # "䠠" in BOM-less UTF-16 is the bytes of " H": no decoder can tell, so only "nothing raised" holds
    if not isinstance(result, TripwireError) and encoding.startswith("utf") and suffix != ".html":
        # Unicode encodings are recognised, so the words survive (modulo whitespace normalisation)
        words = [w for w in text.split() if w.isalnum()]
        assert all(w in result[0].text for w in words[:5])


@pytest.mark.parametrize(
    ("data", "suffix"),
    [
        (b"# A title\n\n" + b"rocket " * 300_000, ".md"),  # one 2 MB line
        (b"x" * 2_500_000, ".txt"),  # one word, no spaces
        (b"<html><body><p>" + b"word " * 400_000 + b"</p></body></html>", ".html"),
        (b"<rss version='2.0'><channel><item><title>" + b"t" * 1_000_000 + b"</title><description>short</description></item></channel></rss>", ".rss"),
        (b"\n" * 2_000_000, ".md"),  # nothing but line breaks
        (b"---\n" + b"title: x\n" * 200_000, ".md"),  # front matter that never closes
    ],
    ids=["2MB-line", "2MB-word", "huge-paragraph", "huge-feed-title", "only-newlines", "endless-front-matter"],
)
def test_huge_lines(data: bytes, suffix: str) -> None:
    load(data, suffix)


def test_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(MARKDOWN + b"\n" + b"more words " * 300_000)
    with pytest.raises(DocumentTooLarge, match="max_document_bytes"):
        load_file(path, settings=SETTINGS)


@pytest.mark.parametrize(
    "reference",
    [b"&#xD800;", b"&#55296;", b"&#xDFFF;"],
    ids=["hex-high-surrogate", "decimal-surrogate", "low-surrogate"],
)
def test_feed_with_a_surrogate_character_reference(reusable_db_url: str, reference: bytes) -> None:
    """A character reference to a lone surrogate (valid-looking, never valid XML) must be refused or replaced, not crash."""
    data = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title><item><title>Rockets '
        + reference
        + b"</title><link>https://example.org/wire/1</link><description>Rockets hit Erbil "
        + reference
        + b" late on Monday.</description></item></channel></rss>"
    )
    load_and_ingest(data, ".rss", reusable_db_url)


@pytest.mark.parametrize("where", ["title", "description", "link", "everywhere"])
def test_a_nul_character_reference_in_a_feed_is_dropped_on_every_backend(reusable_db_url: str, where: str) -> None:
    """``&#0;`` in a feed title once failed to store on PostgreSQL; both backends must now store the same clean item."""
    parts = {"title": b"Rockets hit Erbil", "description": b"Rockets hit Erbil late on Monday, officials said.", "link": b"https://example.org/wire/1"}
    for name in parts if where == "everywhere" else [where]:
        parts[name] = parts[name][:7] + b"&#0;" + parts[name][7:]
    data = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title><item><title>' + parts["title"]
        + b"</title><link>" + parts["link"] + b"</link><description>" + parts["description"] + b"</description></item></channel></rss>"
    )  # fmt: skip
    load_and_ingest(data, ".rss", reusable_db_url)
    with tempfile.TemporaryDirectory() as tmp, empty_store(reusable_db_url) as store:
        path = Path(tmp) / "wire.rss"
        path.write_bytes(data)
        report = ingest(store, [path], settings=SETTINGS)
        assert report.failed == () and len(report.added) == 1
        (doc,) = store.list_documents()
        assert doc.title == "Rockets hit Erbil" and "\x00" not in doc.text and "\x00" not in doc.location
