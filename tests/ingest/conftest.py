"""Fixtures for ingest tests: the fixture folder, a throwaway store, a local HTTP server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tripwire.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(f"sqlite:///{tmp_path / 'ingest.db'}") as s:
        yield s


#: path -> (status, content type or None, body, seconds to wait before answering)
ROUTES: dict[str, tuple[int, str | None, bytes, float]] = {
    "/news/drone-strike": (200, "text/html; charset=utf-8", (FIXTURES / "article.html").read_bytes(), 0),
    "/feeds/desk.rss": (200, "application/rss+xml", (FIXTURES / "wire.rss").read_bytes(), 0),
    "/feeds/monitor": (200, "application/xml", (FIXTURES / "wire.atom").read_bytes(), 0),
    "/plain/shelling.txt": (200, "text/plain; charset=windows-1252", (FIXTURES / "cp1252.txt").read_bytes(), 0),
    "/untyped/report": (200, None, (FIXTURES / "article.html").read_bytes(), 0),
    "/huge": (200, "text/plain", b"flood of text " * 20_000, 0),
    "/slow": (200, "text/plain", b"late news", 3.0),
    "/gone": (404, "text/plain", b"not here", 0),
    "/image.png": (200, "image/png", (FIXTURES / "binary.txt").read_bytes(), 0),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/news/drone-strike")
            self.end_headers()
            return
        status, ctype, body, delay = ROUTES.get(self.path, (404, "text/plain", b"no such page", 0))
        if delay:
            time.sleep(delay)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        if self.path != "/huge":  # /huge streams without announcing its length
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="session")
def http_base() -> Iterator[str]:
    """Base URL of a local HTTP server on 127.0.0.1 serving :data:`ROUTES`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
