"""View helpers: the map's country borders from packaged Natural Earth data, and the timeline's time axis."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from tripwire.knowledge import KnowledgeBase
from tripwire.model import RedLineStatus
from tripwire.web.views import country_outlines, status_changes, svg_map, time_axis, timeline

from .conftest import GREEN_ZONE, K1, STRIKES, _evaluation


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load(None)


def test_borders_ship_in_the_package_with_source_and_licence() -> None:
    doc = json.loads(resources.files("tripwire.web").joinpath("data/borders.json").read_text(encoding="utf-8"))
    assert "Natural Earth" in doc["source"] and "public domain" in doc["licence"]
    codes = {iso2 for iso2, _, _ in country_outlines()}
    # CENTCOM's and AFRICOM's countries, from Egypt and Kazakhstan to South Africa and Morocco
    assert {"IQ", "SY", "IR", "JO", "SA", "YE", "AF", "PK", "EG", "KZ", "SO", "ML", "NE", "NG", "LY", "ZA", "MA"} <= codes


def _contains(rings, lon: float, lat: float) -> bool:  # type: ignore[no-untyped-def]
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


@pytest.mark.parametrize(
    ("iso2", "lon", "lat"),
    [("IQ", 44.36, 33.31), ("SY", 36.29, 33.51), ("IR", 51.39, 35.69), ("JO", 35.93, 31.95), ("YE", 44.21, 15.35), ("ML", -8.0, 12.64), ("SO", 45.32, 2.05)],
)
def test_each_capital_lies_inside_its_own_border(iso2: str, lon: float, lat: float) -> None:
    outlines = {code: rings for code, _, rings in country_outlines()}
    assert _contains([list(r) for r in outlines[iso2]], lon, lat)
    others = [code for code, rings in outlines.items() if code != iso2 and _contains([list(r) for r in rings], lon, lat)]
    assert others == []


def test_the_map_draws_the_borders_of_its_frame_and_marks_countries_with_incidents(kb: KnowledgeBase) -> None:
    points, _, borders = svg_map([K1, GREEN_ZONE], kb)
    by_code = {b.iso2: b for b in borders}
    assert {"IQ", "SY", "IR", "JO", "SA", "KW", "TR"} <= set(by_code)
    assert "EG" not in by_code and "ZA" not in by_code  # outside the frame
    assert by_code["IQ"].hit and not by_code["SY"].hit
    # K-1's dot is drawn inside Iraq's outline, in the same projection
    k1 = next(p for p in points if p.href == f"/incidents/{K1.id}")
    xy = [tuple(map(float, pair.split(","))) for pair in re.findall(r"-?[\d.]+,-?[\d.]+", by_code["IQ"].path)]
    assert _contains([xy], k1.x, k1.y)


def test_the_map_page_has_borders_and_no_network_assets(busy_app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(busy_app)
    html = client.get("/map", params={"country": "SY"}).text
    assert html.count('<path d="M') >= 6 and 'class="country hit" data-iso2="SY"' in html and 'class="country" data-iso2="IQ"' in html
    assert html.count('class="incident"') == 20
    assert "http" not in html.replace("http-equiv", "")


def test_status_changes_keep_first_and_changed_evaluations_only() -> None:
    t = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    history = [
        _evaluation(K1, 0.2, RedLineStatus.CLEAR, "unlikely", t),
        _evaluation(K1, 0.25, RedLineStatus.CLEAR, "unlikely", t + dt.timedelta(days=1)),
        _evaluation(K1, 0.31, RedLineStatus.WATCH, "unlikely", t + dt.timedelta(days=2)),
        _evaluation(GREEN_ZONE, 0.0, RedLineStatus.CLEAR, "almost no chance", t + dt.timedelta(days=3)),
        _evaluation(K1, 0.33, RedLineStatus.WATCH, "unlikely", t + dt.timedelta(days=4)),
    ]
    changes = status_changes(reversed(history))
    assert [(c.incident_id, c.status, c.evaluated_at.day) for c in changes] == [(K1.id, RedLineStatus.CLEAR, 1), (K1.id, RedLineStatus.WATCH, 3), (GREEN_ZONE.id, RedLineStatus.CLEAR, 4)]


def test_the_time_axis_places_events_by_date_in_three_lanes() -> None:
    t = dt.datetime(2020, 11, 18, 12, tzinfo=dt.timezone.utc)
    axis = time_axis(timeline([K1, GREEN_ZONE], [STRIKES]), [_evaluation(K1, 0.31, RedLineStatus.WATCH, "unlikely", t)])
    lanes = {m.lane: [] for m in axis.marks}
    for m in axis.marks:
        lanes[m.lane].append(m)
    assert {k: len(v) for k, v in lanes.items()} == {"incident": 2, "action": 1, "redline": 1}
    k1, strike = next(m for m in lanes["incident"] if K1.id in m.href), lanes["action"][0]
    green = next(m for m in lanes["incident"] if GREEN_ZONE.id in m.href)
    assert k1.x < strike.x < green.x <= lanes["redline"][0].x
    # two days of 330 between K-1 and the strikes: the gap is to scale
    assert (strike.x - k1.x) / (green.x - k1.x) == pytest.approx(2 / 326, abs=0.002)
    assert lanes["redline"][0].css == "watch" and "watch" in lanes["redline"][0].label
    assert [label for _, label in axis.ticks] == ["2020", *(dt.date(2020, m, 1).strftime("%b 2020") for m in range(2, 12))]  # monthly over eleven months, the year at January


def test_timeline_page_draws_the_axis_for_the_view(busy_app) -> None:  # type: ignore[no-untyped-def]
    html = TestClient(busy_app).get("/timeline").text
    svg = html.split('<svg id="time-axis"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("mark incident") == 62 and svg.count("mark action") == 2 and svg.count("mark redline") == 2
    only_sy = TestClient(busy_app).get("/timeline", params={"country": "SY"}).text.split('<svg id="time-axis"', 1)[1].split("</svg>", 1)[0]
    assert only_sy.count("mark incident") == 20 and "mark redline" not in only_sy and "mark action" not in only_sy


@pytest.mark.parametrize("most", [10, 60])
def test_the_map_labels_the_gazetteer_places_then_the_largest_cities(kb: KnowledgeBase, most: int) -> None:
    points, (lon0, lat0, lon1, lat1), _ = svg_map([K1, GREEN_ZONE], kb, max_cities=most)
    labelled = {p.label for p in points if p.kind == "city"}
    in_frame = [p for p in kb.places.values() if p.kind == "city" and lon0 <= p.lon <= lon1 and lat0 <= p.lat <= lat1]
    curated = {p.name for p in in_frame if p.population is None}
    assert len(in_frame) > most and len(labelled) == most and 10 < len(curated) < 60
    if most < len(curated):
        assert labelled <= curated
    else:
        assert curated <= labelled and {"Baghdad", "Kirkuk", "Mosul"} <= labelled
        smallest = min(p.population for p in in_frame if p.name in labelled and p.population is not None)
        assert all((p.population or 0) <= smallest for p in in_frame if p.name not in labelled)
