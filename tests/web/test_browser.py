"""End to end in a real browser: Debian chromium driven by Playwright, with screenshots checked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import K1, TOKEN

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium)")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture()
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _serve(app) as url:
        yield url


@pytest.fixture()
def busy_server(busy_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with _serve(busy_app) as url:
        yield url


@pytest.fixture()
def browser():  # type: ignore[no-untyped-def]
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):  # type: ignore[no-untyped-def]
    return browser.new_page(viewport={"width": 1200, "height": 800})


def _screenshot_is_a_real_render(path: Path, colour: tuple[int, int, int] = (0xB7, 0x79, 0x1F)) -> None:
    """A 1200x800 render with many colours, among them ``colour`` (default: the watch badge, #b7791f)."""
    from PIL import Image

    image = Image.open(path).convert("RGB")
    assert image.size == (1200, 800)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50, "a blank or failed render has only a few colours"
    assert any(all(abs(c - want) < 12 for c, want in zip(rgb, colour)) for _, rgb in colours), f"no pixel near {colour}"


def test_board_renders_and_navigates(server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    assert page.locator("table.board tbody tr").count() == 2
    assert page.locator("tr.status-watch .badge").inner_text().lower() == "watch"
    shot = tmp_path / "board.png"
    page.screenshot(path=str(shot))
    _screenshot_is_a_real_render(shot)
    page.click(f"a[href='/incidents/{K1.id}']")
    page.wait_for_url(f"**/incidents/{K1.id}")
    assert "Posterior over hypotheses" in page.content()
    page.goto(server + "/map")
    assert page.locator("svg#map circle.incident").count() == 2
    page.goto(server + "/chain")
    assert page.locator("svg#chain line.edge").count() >= 1


def test_the_pages_run_under_their_content_security_policy(server: str, page) -> None:  # type: ignore[no-untyped-def]
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    for path in ("/", f"/incidents/{K1.id}", "/incidents", "/timeline", "/map", "/chain"):
        response = page.goto(server + path)
        assert response is not None and "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    assert violations == []


def test_dashboard_updates_live_when_an_article_is_ingested(server: str, page) -> None:  # type: ignore[no-untyped-def]
    import httpx

    page.goto(server + "/")
    before = int(page.locator("#n-documents").inner_text())
    response = httpx.post(
        server + "/api/v1/documents",
        json={"text": "Rockets hit Camp Taji on Wednesday, killing two American service members and a British soldier.", "published": "2020-03-13"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    from playwright.sync_api import expect

    # a selector wait, not wait_for_function: the page's CSP (script-src 'self') forbids evaluating strings
    expect(page.locator("#n-documents")).to_have_text(str(before + 1), timeout=15_000)


def _places(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("table#incidents tbody tr td:nth-child(3)").all_inner_texts()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_filters_and_paging_in_the_browser(busy_server: str, browser, tmp_path: Path, javascript: bool) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1200, "height": 800}, java_script_enabled=javascript).new_page()
    page.goto(busy_server + "/incidents")
    assert page.locator("table#incidents tbody tr").count() == 50
    page.fill("input[name=country]", "sy")
    page.select_option("select[name=limit]", "10")
    page.click("form#filters button[type=submit]")
    page.wait_for_url("**/incidents?*country=sy*")
    assert "limit=10" in page.url
    assert _places(page) == ["SY"] * 10
    assert page.locator("nav.paging .range").first.inner_text() == "1–10 of 20"
    page.locator("nav.paging a[rel=next]").first.click()
    page.wait_for_url("**page=2**")
    assert _places(page) == ["SY"] * 10 and page.locator("nav.paging .range").first.inner_text() == "11–20 of 20"
    assert page.locator("input[name=country]").input_value() == "SY"  # the form shows the view it rendered
    bookmarked = page.url
    page.goto(busy_server + "/")
    page.goto(bookmarked)  # a bookmark brings the same view back
    assert page.locator("nav.paging .range").first.inner_text() == "11–20 of 20"
    page.select_option("select[name=status]", "watch")
    page.fill("input[name=country]", "")
    page.click("form#filters button[type=submit]")
    page.wait_for_url("**status=watch**")
    assert page.locator("table#incidents tbody tr").count() == 1
    shot = tmp_path / "incidents.png"
    page.screenshot(path=str(shot))
    _screenshot_is_a_real_render(shot)  # the one row's watch badge


def test_map_draws_borders_and_incidents(busy_server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(busy_server + "/map?country=IQ")
    assert page.locator("svg#map path.country").count() >= 6
    assert page.locator("svg#map path.country.hit").count() == 1
    assert page.locator("svg#map path.country.hit").get_attribute("data-iso2") == "IQ"
    assert page.locator("svg#map circle.incident").count() == 32
    box = page.locator("svg#map path.country.hit").bounding_box()
    dot = page.locator("svg#map circle.incident").first.bounding_box()
    assert box and dot and box["x"] <= dot["x"] <= box["x"] + box["width"] and box["y"] <= dot["y"] <= box["y"] + box["height"]
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot))
    _screenshot_is_a_real_render(shot, colour=(0xF4, 0xDC, 0xD6))  # Iraq shaded as a country with incidents
    _screenshot_is_a_real_render(shot, colour=(0xF3, 0xF0, 0xE8))  # its neighbours drawn as land
    page.locator("svg#map circle.incident").last.click()  # the topmost of the dots drawn at one base
    page.wait_for_url("**/incidents/*")
    assert "Posterior over hypotheses" in page.content() or "Attribution statements" in page.content()


def test_timeline_draws_a_time_axis(busy_server: str, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(busy_server + "/timeline?since=2019-01-01&until=2020-12-31")
    assert page.locator("svg#time-axis circle.mark.incident").count() == 2
    assert page.locator("svg#time-axis circle.mark.action").count() == 1
    assert page.locator("svg#time-axis circle.mark.redline").count() == 2
    xs = [page.locator(f"svg#time-axis circle.mark.{lane}").first.bounding_box()["x"] for lane in ("incident", "action")]
    assert xs[0] < xs[1]  # K-1 (27 Dec 2019) before the strikes (29 Dec)
    shot = tmp_path / "timeline.png"
    page.screenshot(path=str(shot))
    _screenshot_is_a_real_render(shot)  # the watch-coloured red-line change


@pytest.mark.parametrize(("link", "kind"), [("GeoJSON", "geojson"), ("incidents CSV", "csv"), ("STIX 2.1", "stix")])
def test_downloads_of_the_view(busy_server: str, page, link: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    import csv
    import io
    import json

    page.goto(busy_server + "/incidents?country=JO&limit=5")
    with page.expect_download() as info:
        page.click(f"#downloads a:text-is('{link}')")
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    if kind == "geojson":
        assert download.suggested_filename == "events.geojson"
        features = json.loads(text)["features"]
        assert len(features) == 10 and {f["properties"]["country"] for f in features} == {"JO"}
    elif kind == "csv":
        assert download.suggested_filename == "incidents.csv"
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 10 and {r["place_name"] for r in rows} == {"Tower 22"}
    else:
        assert download.suggested_filename == "events.stix.json"
        assert sum(o["type"] == "incident" for o in json.loads(text)["objects"]) == 10
