"""Server-rendered pages, checked through the test client (no browser)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from .conftest import K1


@pytest.fixture()
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app)


def test_board_lists_the_most_serious_first(client: TestClient) -> None:
    html = client.get("/").text
    assert html.index("badge watch") < html.index("badge clear")
    assert "unlikely" in html and "0.31" in html and "preponderance" in html


def test_every_probability_on_the_dashboard_has_its_icd203_confidence(client: TestClient) -> None:
    board = client.get("/").text
    assert "<td>unlikely (moderate confidence)</td>" in board  # K-1: 2 origins, one dissenting
    assert "<td>no chance (confidence not assessed)</td>" in board  # stored before confidence existed; words recomputed
    page = client.get(f"/incidents/{K1.id}").text
    assert page.count("(moderate confidence)</td>") >= 4  # three posterior rows and the red-line history row
    assert "Analytic confidence from 2 independent origins, best source reliability 0.80, 1 dissenting." in page


@pytest.mark.parametrize(
    ("path", "needles"),
    [
        ("/incidents", ["K-1 Air Base", "Green Zone"]),
        (f"/incidents/{K1.id}", ["Posterior over hypotheses", "kataib-hezbollah", "more likely", "35.517", "1 killed (US) contractor", "ACH matrix", "tripwire-ach"]),
        ("/timeline", ["2019-12-27", "airstrike", "25 killed"]),
        ("/map", ['class="incident"', "Baghdad", "Kirkuk"]),
        ("/chain", ["marker-end", "airstrike"]),
    ],
)
def test_pages_show_their_facts(client: TestClient, path: str, needles: list[str]) -> None:
    response = client.get(path)
    assert response.status_code == 200
    for needle in needles:
        assert needle in response.text, needle


def test_hostile_text_is_escaped(client: TestClient) -> None:
    html = client.get("/timeline").text
    assert "<b>kill a child</b>" not in html and "&lt;b&gt;kill a child&lt;/b&gt;" in html


def test_assets_ship_in_the_package(client: TestClient) -> None:
    assert "--tripped" in client.get("/static/tripwire.css").text
    assert "EventSource" in client.get("/static/live.js").text
    assert "http" not in client.get("/").text.split("<main>")[0].replace("http-equiv", ""), "no external assets"


def test_unknown_incident_page_uses_the_envelope(client: TestClient) -> None:
    response = client.get("/incidents/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_events_stream_reports_a_change(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    app.state.tripwire.bump()
    with client.stream("GET", "/api/v1/events", params={"since": 0, "timeout": 1}) as response:
        body = "".join(response.iter_text())
    assert "event: change" in body and '"version": 1' in body
    with client.stream("GET", "/api/v1/events", params={"since": 1, "timeout": 0.5}) as response:
        assert "event: change" not in "".join(response.iter_text())
