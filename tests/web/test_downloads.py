"""Downloads of the current view: CSV tables, GeoJSON and STIX 2.1 hold exactly the filtered events, every page of them."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from .conftest import K1


@pytest.fixture()
def client(busy_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(busy_app)


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("query", "incidents", "actions"),
    [
        ({}, 62, 2),
        ({"country": "SY"}, 20, 0),
        ({"country": "IQ", "since": "2024-01-01"}, 21, 1),  # attacks 16-59 on the three Iraqi bases
        ({"actor": "kataib-hezbollah"}, 21, 2),  # the two US strikes target Kataib Hezbollah
        ({"status": "watch"}, 1, 0),  # actions have no red-line status
    ],
)
def test_csv_and_geojson_hold_the_filtered_view(client: TestClient, query: dict[str, str], incidents: int, actions: int) -> None:
    page = client.get("/incidents", params={**query, "limit": 500}).text
    on_screen = set(re.findall(r'<a href="/incidents/([^"]+)">', page.split('id="incidents"', 1)[1]))
    table = client.get("/download/incidents.csv", params=query)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert table.headers["content-disposition"] == 'attachment; filename="incidents.csv"'
    rows = _csv(table.text)
    assert len(rows) == incidents and {r["id"] for r in rows} == on_screen
    assert len(_csv(client.get("/download/actions.csv", params=query).text)) == actions
    geo = client.get("/download/events.geojson", params=query)
    assert geo.headers["content-type"] == "application/geo+json"
    features = geo.json()["features"]
    assert sum(f["properties"]["event"] == "incident" for f in features) == incidents
    assert sum(f["properties"]["event"] == "action" for f in features) == actions
    if "country" in query:
        assert all(f["properties"]["country"] == query["country"] for f in features if f["properties"]["event"] == "incident")


def test_download_ignores_paging_and_keeps_the_whole_view(client: TestClient) -> None:
    assert len(_csv(client.get("/download/incidents.csv", params={"country": "IQ", "limit": 5, "page": 3}).text)) == 32


def test_csv_carries_the_top_perpetrator_and_casualties(client: TestClient) -> None:
    rows = {r["id"]: r for r in _csv(client.get("/download/incidents.csv", params={"q": "K-1"}).text)}
    assert rows[K1.id]["killed"] == "1" and rows[K1.id]["injured"] == "4" and rows[K1.id]["country"] == "IQ"
    assert rows[K1.id]["perpetrator"] == "kataib-hezbollah"


def test_stix_download_is_a_bundle_of_the_view_that_parses_strictly(client: TestClient) -> None:
    import stix2

    response = client.get("/download/events.stix.json", params={"country": "JO"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/stix+json")
    bundle = json.loads(response.text)
    incidents = [o for o in bundle["objects"] if o["type"] == "incident"]
    assert len(incidents) == 10 and all("Tower 22" in o["name"] or "tower-22" in json.dumps(o) for o in incidents)
    parsed = stix2.parse(response.text, allow_custom=False)
    assert len(parsed.objects) == len(bundle["objects"])


@pytest.mark.parametrize("path", ["/", "/incidents", "/timeline", "/map", "/chain"])
def test_every_list_page_links_downloads_of_its_view(client: TestClient, path: str) -> None:
    html = client.get(path, params={"country": "SY", "page": 2, "limit": 10}).text
    links = re.findall(r'<a href="(/download/[^"]+)" download>', html)
    assert [link.split("?")[0] for link in links] == ["/download/incidents.csv", "/download/actions.csv", "/download/events.geojson", "/download/events.stix.json"]
    assert all(link.endswith("?country=SY") for link in links), links  # the filters, not the page


def test_a_bad_filter_on_a_download_is_refused_in_the_envelope(client: TestClient) -> None:
    response = client.get("/download/events.geojson", params={"country": "Iraq"})
    assert response.status_code == 400 and response.json()["error"]["detail"] == {"parameter": "country"}
