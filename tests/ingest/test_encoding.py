"""Decoding: BOMs, UTF-8, UTF-16, Windows-1252, binary refusal, size limits."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tripwire.errors import DecodeError, DocumentTooLarge, InputError
from tripwire.ingest.encoding import decode, read_limited

SAMPLE = "Caf\u00e9 owners in the \u201cold quarter\u201d reopened \u2013 cautiously."


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (codecs.BOM_UTF8 + SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("utf-16"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (SAMPLE.encode("utf-16-le"), "utf-16-le"),  # no BOM: recognised by its NUL pattern
        (SAMPLE.encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"), "utf-32-le"),
        (SAMPLE.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_cases(raw: bytes, encoding: str) -> None:
    text, used = decode(raw, source="sample")
    assert text == SAMPLE
    assert used == encoding


def test_declared_charset_is_tried_before_windows_1252() -> None:
    raw = "\u0412\u0437\u0440\u044b\u0432 \u0443 \u0431\u0430\u0437\u044b".encode("koi8-r")
    assert decode(raw, source="x", declared="koi8-r") == ("\u0412\u0437\u0440\u044b\u0432 \u0443 \u0431\u0430\u0437\u044b", "koi8-r")


def test_latin1_bytes_undefined_in_cp1252_still_decode() -> None:
    raw = "Le caf\u00e9 est ferm\u00e9.".encode("latin-1") + b"\x81"
    text, _ = decode(raw, source="x")
    assert text.startswith("Le caf")


@pytest.mark.parametrize("raw", [bytes(range(256)) * 8, b"\x00" * 500, b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\x03" * 200])
def test_binary_is_refused_with_the_source_named(raw: bytes) -> None:
    with pytest.raises(DecodeError, match="photo.jpg"):
        decode(raw, source="photo.jpg")


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_any_text_round_trips_through_unicode_encodings(text: str, encoding: str) -> None:
    assert decode(text.encode(encoding), source="t")[0] == text


def test_size_limit_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2_000)
    opened: list[str] = []
    real_open = open

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(args[0]))
        return real_open(*args, **kwargs)

    monkeypatch.setattr("builtins.open", spy)
    with pytest.raises(DocumentTooLarge, match="2,000 bytes, over the 1,000-byte limit"):
        read_limited(big, 1_000)
    assert str(big) not in opened
    monkeypatch.undo()
    assert read_limited(big, 2_000) == b"x" * 2_000


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_limited(tmp_path / "nope.txt", 10)
