"""Build the dashboard's country borders (``src/tripwire/web/data/borders.json``) from Natural Earth.

    python tools/build_borders.py               # pip-download pyogrio, read its copy, rewrite borders.json
    python tools/build_borders.py --wheel W.whl # read a pyogrio wheel already downloaded
    python tools/build_borders.py --check       # exit 1 if borders.json is out of date

Source: the Natural Earth 1:110m "admin 0 countries" layer (public domain,
https://www.naturalearthdata.com/about/terms-of-use/) in the copy that the
maintained ``pyogrio`` wheel ships (``pyogrio/tests/fixtures/naturalearth_lowres``).
This script reads its shapefile and dBase table with the standard library,
keeps the countries whose outline reaches into the frame of CENTCOM and
AFRICOM (Africa, the Middle East, Central and South Asia, with southern Europe
for context), simplifies each ring (Douglas-Peucker, ``TOLERANCE`` degrees),
rounds coordinates to 0.01 degree and writes them as JSON with ISO-2 codes
(from ``pycountry``). Nothing here runs when Tripwire runs: the JSON is committed.
"""

from __future__ import annotations

import argparse
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "tripwire" / "web" / "data" / "borders.json"
MEMBER = "pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres"
#: lon_min, lat_min, lon_max, lat_max of the region kept
FRAME = (-26.0, -40.0, 80.0, 48.0)
TOLERANCE = 0.05
#: Natural Earth marks a few disputed or dependent areas with iso_a3 "-99"; their ISO codes by name
NAMED = {"France": "FRA", "Norway": "NOR", "Kosovo": "XKX", "Somaliland": "SOL", "N. Cyprus": "CYN", "W. Sahara": "ESH"}


def read_dbf(data: bytes) -> list[dict[str, str]]:
    """The rows of a dBase III table as text."""
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, pos = [], 32
    while data[pos] != 0x0D:
        name = data[pos:pos + 11].split(b"\0", 1)[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    rows = []
    for n in range(count):
        rec, at = data[header_len + n * record_len: header_len + (n + 1) * record_len], 1
        row = {}
        for name, length in fields:
            row[name] = rec[at:at + length].decode("utf-8", "replace").strip()
            at += length
        rows.append(row)
    return rows


def read_shp(data: bytes) -> list[list[list[tuple[float, float]]]]:
    """The rings of every polygon record of a shapefile (type 5)."""
    shapes, pos = [], 100
    while pos < len(data):
        _, words = struct.unpack(">ii", data[pos:pos + 8])
        content = data[pos + 8: pos + 8 + words * 2]
        pos += 8 + words * 2
        (kind,) = struct.unpack("<i", content[:4])
        if kind != 5:
            shapes.append([])
            continue
        parts_n, points_n = struct.unpack("<ii", content[36:44])
        parts = list(struct.unpack(f"<{parts_n}i", content[44:44 + 4 * parts_n]))
        points = list(struct.iter_unpack("<2d", content[44 + 4 * parts_n: 44 + 4 * parts_n + 16 * points_n]))
        bounds = [*parts, points_n]
        shapes.append([points[bounds[i]:bounds[i + 1]] for i in range(parts_n)])
    return shapes


def simplify(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification of one ring or polyline (endpoints kept)."""
    if len(ring) < 3:
        return ring
    (x1, y1), (x2, y2) = ring[0], ring[-1]
    best, index = 0.0, 0
    for i in range(1, len(ring) - 1):
        x, y = ring[i]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm if norm else ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [ring[0], ring[-1]]
    return simplify(ring[: index + 1], tolerance)[:-1] + simplify(ring[index:], tolerance)


def build(wheel: Path) -> str:
    """The JSON text of the borders file from a pyogrio wheel."""
    import pycountry

    with zipfile.ZipFile(wheel) as zf:
        shapes = read_shp(zf.read(MEMBER + ".shp"))
        rows = read_dbf(zf.read(MEMBER + ".dbf"))
    lon0, lat0, lon1, lat1 = FRAME
    countries = []
    for row, rings in zip(rows, shapes, strict=True):
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        if not xs or max(xs) < lon0 or min(xs) > lon1 or max(ys) < lat0 or min(ys) > lat1:
            continue
        iso3 = row["iso_a3"] if row["iso_a3"] != "-99" else NAMED.get(row["name"], "")
        found = pycountry.countries.get(alpha_3=iso3) if iso3 else None
        kept = []
        for ring in rings:
            small = simplify(ring, TOLERANCE)
            if len(small) >= 4:
                kept.append([[round(x, 2), round(y, 2)] for x, y in small])
        if kept:
            countries.append({"iso3": iso3, "iso2": found.alpha_2 if found else "", "name": row["name"], "rings": kept})
    countries.sort(key=lambda c: (c["iso3"], c["name"]))
    doc = {
        "source": "Natural Earth 1:110m admin 0 countries, as shipped in the pyogrio wheel; simplified by tools/build_borders.py",
        "licence": "public domain (Natural Earth terms of use)",
        "frame": list(FRAME),
        "countries": countries,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a pyogrio wheel (default: pip download it)")
    parser.add_argument("--check", action="store_true", help="exit 1 if borders.json is out of date")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "pyogrio==0.13.0", "-d", tmp], check=True,
                           stdout=subprocess.DEVNULL)
            wheel = next(Path(tmp).glob("pyogrio-*.whl"))
        text = build(wheel)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        print("up to date" if current == text else f"{OUT} is out of date")
        return 0 if current == text else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
