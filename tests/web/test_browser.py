"""End to end in a real browser: Debian chromium driven by Playwright, with screenshots checked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
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


@pytest.fixture()
def server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
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
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def page(tmp_path: Path):  # type: ignore[no-untyped-def]
    from playwright import sync_api

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        yield page
        browser.close()


def _screenshot_is_a_real_render(path: Path) -> None:
    from PIL import Image

    image = Image.open(path).convert("RGB")
    assert image.size == (1200, 800)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50, "a blank or failed render has only a few colours"
    # The red-line board draws status badges in the watch colour (#b7791f).
    assert any(abs(r - 0xB7) < 12 and abs(g - 0x79) < 12 and abs(b - 0x1F) < 12 for _, (r, g, b) in colours)


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
