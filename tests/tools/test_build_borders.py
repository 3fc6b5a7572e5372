"""tools/build_borders.py: the shapefile and dBase readers, ring simplification, and the borders file it builds."""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

_SPEC = importlib.util.spec_from_file_location("build_borders", Path(__file__).resolve().parents[2] / "tools" / "build_borders.py")
assert _SPEC and _SPEC.loader
bb = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bb)


def _shp(shapes: list[list[list[tuple[float, float]]]]) -> bytes:
    """A polygon shapefile (type 5) as ESRI lays it out: big-endian record headers, little-endian content."""
    records = b""
    for n, rings in enumerate(shapes, 1):
        points = [p for ring in rings for p in ring]
        parts, at = [], 0
        for ring in rings:
            parts.append(at)
            at += len(ring)
        xs, ys = [x for x, _ in points] or [0.0], [y for _, y in points] or [0.0]
        content = struct.pack("<i4d2i", 5, min(xs), min(ys), max(xs), max(ys), len(rings), len(points))
        content += struct.pack(f"<{len(parts)}i", *parts) + b"".join(struct.pack("<2d", *p) for p in points)
        records += struct.pack(">ii", n, len(content) // 2) + content
    header = struct.pack(">7i", 9994, 0, 0, 0, 0, 0, (100 + len(records)) // 2) + struct.pack("<2i4d4d", 1000, 5, 0, 0, 0, 0, 0, 0, 0, 0)
    return header + records


def _dbf(rows: list[dict[str, str]], widths: dict[str, int]) -> bytes:
    fields = b"".join(name.encode().ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([w, 0]) + b"\0" * 14 for name, w in widths.items())
    header_len, record_len = 32 + len(fields) + 1, 1 + sum(widths.values())
    head = struct.pack("<B3BIHH", 3, 124, 1, 1, len(rows), header_len, record_len).ljust(32, b"\0")
    body = b"".join(b" " + b"".join(row[k].encode().ljust(w) for k, w in widths.items()) for row in rows)
    return head + fields + b"\r" + body + b"\x1a"


coords = st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False))
rings = st.lists(coords, min_size=4, max_size=20)


@given(st.lists(st.lists(rings, min_size=1, max_size=3), min_size=1, max_size=5))
def test_shapefile_reader_gives_back_every_ring(shapes: list[list[list[tuple[float, float]]]]) -> None:
    assert bb.read_shp(_shp(shapes)) == shapes


@given(st.lists(st.tuples(st.from_regex(r"[A-Z]{3}", fullmatch=True), st.text("abcdefghijklmnopqrstuvwxyz. ", min_size=1, max_size=20).map(str.strip).filter(bool)), max_size=8))
def test_dbase_reader_gives_back_every_row(rows: list[tuple[str, str]]) -> None:
    table = [{"iso_a3": a, "name": b} for a, b in rows]
    assert bb.read_dbf(_dbf(table, {"iso_a3": 3, "name": 24})) == table


@pytest.mark.parametrize(
    ("ring", "kept"),
    [
        ([(0, 0), (1, 0.001), (2, 0), (2, 2), (0, 2), (0, 0)], [(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)]),  # a bump under the tolerance goes
        ([(0, 0), (1, 0.5), (2, 0), (2, 2), (0, 2), (0, 0)], [(0, 0), (1, 0.5), (2, 0), (2, 2), (0, 2), (0, 0)]),  # a real corner stays
        ([(0, 0), (1, 1), (0, 0)], [(0, 0), (1, 1), (0, 0)]),  # too short to simplify
    ],
)
def test_simplify_drops_only_what_is_within_tolerance(ring: list[tuple[float, float]], kept: list[tuple[float, float]]) -> None:
    assert bb.simplify(ring, 0.05) == kept


def test_build_keeps_the_countries_of_the_frame_with_iso2_codes(tmp_path: Path) -> None:
    square = lambda x, y, d=2.0: [(x, y), (x, y + d), (x + d, y + d), (x + d, y), (x, y)]
    shapes = [[square(42, 31)], [square(36, 33)], [square(-100, 40)], [square(20, 0), square(30, 5, 1.0)]]
    rows = [{"name": "Iraq", "iso_a3": "IRQ"}, {"name": "Syria", "iso_a3": "SYR"}, {"name": "United States of America", "iso_a3": "USA"},
            {"name": "Somaliland", "iso_a3": "-99"}]
    wheel = tmp_path / "pyogrio-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(bb.MEMBER + ".shp", _shp(shapes))
        zf.writestr(bb.MEMBER + ".dbf", _dbf(rows, {"name": 30, "iso_a3": 3}))
    doc = json.load(io.StringIO(bb.build(wheel)))
    assert "Natural Earth" in doc["source"] and "public domain" in doc["licence"]
    got = {c["name"]: c for c in doc["countries"]}
    assert set(got) == {"Iraq", "Syria", "Somaliland"}  # the United States lies outside the frame
    assert (got["Iraq"]["iso3"], got["Iraq"]["iso2"]) == ("IRQ", "IQ") and got["Syria"]["iso2"] == "SY"
    assert got["Somaliland"]["iso3"] == "SOL" and got["Somaliland"]["iso2"] == "" and len(got["Somaliland"]["rings"]) == 2
    assert got["Iraq"]["rings"] == [[[42.0, 31.0], [42.0, 33.0], [44.0, 33.0], [44.0, 31.0], [42.0, 31.0]]]
