"""Where downloads may go: http(s) on every redirect hop, no internal addresses by default, one deadline per download.

Two loopback servers share a port: one on 127.0.0.2 stands in for a public
news site (the tests tell the guard to treat that one address as public), the
other on 127.0.0.1 is the "internal" service an attacker wants read, and it
counts every request it gets. Every probe must end in a ``FetchError`` (or a
failed source in ``ingest``) with the internal server never reached.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tripwire.errors import FetchError
from tripwire.ingest import guard, ingest, load_url
from tripwire.settings import Settings
from tripwire.store import Store

PUBLIC_STAND_IN = "127.0.0.2"
DEFAULT = Settings(environ={})
ARTICLE = b"<html><head><title>Shelling reported near the crossing</title></head><body><p>Shelling was reported on Tuesday near the border crossing, local officials said.</p></body></html>"


class _Site(BaseHTTPRequestHandler):
    hits: list[str]
    port: int

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        type(self).hits.append(self.path)
        if self.path.startswith("/redirect?"):
            self.send_response(302)
            self.send_header("Location", self.path.split("?", 1)[1].replace("PORT", str(type(self).port)))
            self.end_headers()
            return
        if self.path == "/trickle":  # announces 400 bytes, sends one every 50 ms
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "400")
            self.end_headers()
            try:
                for _ in range(400):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(ARTICLE)))
        self.end_headers()
        self.wfile.write(ARTICLE)

    def log_message(self, *args: object) -> None:
        pass


def _serve(host: str, port: int) -> tuple[ThreadingHTTPServer, type[_Site]]:
    handler = type("Site", (_Site,), {"hits": [], "port": port})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server, handler


@pytest.fixture
def sites(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, type[_Site], type[_Site]]]:
    """(port, public stand-in's handler, internal server's handler)."""
    for _ in range(20):
        with socket.socket() as probe:
            probe.bind((PUBLIC_STAND_IN, 0))
            port = probe.getsockname()[1]
        try:
            public, pub = _serve(PUBLIC_STAND_IN, port)
        except OSError:
            continue
        try:
            internal, inner = _serve("127.0.0.1", port)
        except OSError:
            public.shutdown()
            public.server_close()
            continue
        break
    else:  # pragma: no cover - no free port pair
        pytest.skip("no port free on both 127.0.0.1 and 127.0.0.2")
    real = guard.address_class
    monkeypatch.setattr(guard, "address_class", lambda ip: None if str(ip) == PUBLIC_STAND_IN else real(ip))
    yield port, pub, inner
    for server in (public, internal):
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not globally routable"),
        ("fc00::1", "private"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_classes(address: str, why: str | None) -> None:
    assert guard.address_class(ipaddress.ip_address(address)) == why


#: hosts that resolve to addresses downloads may not reach; none needs a network to be refused
DIRECT_PROBES = [
    "http://127.0.0.1:PORT/",
    "http://localhost:PORT/",
    "http://[::1]:PORT/",
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://2130706433:PORT/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1:PORT/",  # ... and in inet_aton's hex short form
    "http://0.0.0.0:PORT/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "https://127.0.0.1:PORT/",
]

#: public stand-in pages that redirect somewhere they must not lead
REDIRECT_PROBES = [
    "ftp://127.0.0.1:PORT/article.txt",
    "ftp://example.org/pub/article.txt",
    "file:///etc/passwd",
    "data:text/plain,injected",
    "http://127.0.0.1:PORT/secret",
    "http://localhost:PORT/secret",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/admin",
]


@pytest.mark.parametrize("probe", DIRECT_PROBES)
def test_internal_addresses_are_refused_by_default(sites, probe: str) -> None:  # type: ignore[no-untyped-def]
    port, pub, inner = sites
    with pytest.raises(FetchError, match=r"refused to fetch .* which downloads may not reach \(setting allow_private_addresses\)"):
        load_url(probe.replace("PORT", str(port)), settings=DEFAULT)
    assert inner.hits == [] and pub.hits == []


@pytest.mark.parametrize("target", REDIRECT_PROBES)
def test_every_redirect_hop_is_checked(sites, target: str) -> None:  # type: ignore[no-untyped-def]
    port, pub, inner = sites
    start = f"http://{PUBLIC_STAND_IN}:{port}/redirect?{target}"
    with pytest.raises(FetchError, match="refused to fetch"):
        load_url(start, settings=DEFAULT)
    assert pub.hits == [f"/redirect?{target}"]
    assert inner.hits == [], "the internal server was reached"


def test_a_rebinding_name_is_checked_on_the_address_connected_to(sites, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    port, pub, inner = sites
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def rebinding(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "rebind.test":
            lookups.append(host)
            host = PUBLIC_STAND_IN if len(lookups) == 1 else "127.0.0.1"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    [doc] = load_url(f"http://rebind.test:{port}/news", settings=DEFAULT)  # first answer public: fetched
    assert doc.title == "Shelling reported near the crossing" and pub.hits == ["/news"]
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 \(loopback\)"):
        load_url(f"http://rebind.test:{port}/news", settings=DEFAULT)
    assert lookups == ["rebind.test", "rebind.test"], "the name must be resolved once per connection, by the guard"
    lookups.clear()  # a page that redirects to its own name, which now answers 127.0.0.1
    with pytest.raises(FetchError, match=r"127\.0\.0\.1 \(loopback\)"):
        load_url(f"http://rebind.test:{port}/redirect?http://rebind.test:PORT/secret", settings=DEFAULT)
    assert lookups == ["rebind.test", "rebind.test"] and pub.hits == ["/news", "/redirect?http://rebind.test:PORT/secret"]
    assert inner.hits == []


def test_the_setting_lets_internal_hosts_be_fetched(sites) -> None:  # type: ignore[no-untyped-def]
    port, _pub, inner = sites
    allowed = Settings({"allow_private_addresses": True}, environ={})
    [doc] = load_url(f"http://{PUBLIC_STAND_IN}:{port}/redirect?http://127.0.0.1:PORT/inside", settings=allowed)
    assert doc.location.endswith("/redirect?http://127.0.0.1:PORT/inside") and inner.hits == ["/inside"]
    with pytest.raises(FetchError, match="not an http"):  # the scheme check holds whatever the setting
        load_url(f"http://{PUBLIC_STAND_IN}:{port}/redirect?ftp://127.0.0.1:PORT/x", settings=allowed)


def test_one_deadline_per_download(sites) -> None:  # type: ignore[no-untyped-def]
    port, _pub, _inner = sites
    settings = Settings({"http_timeout": 2.0, "http_deadline": 0.6}, environ={})
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 0.6 s in all \(setting http_deadline\)"):
        load_url(f"http://{PUBLIC_STAND_IN}:{port}/trickle", settings=settings)
    assert time.monotonic() - started < 2.0  # not 400 bytes x 50 ms, and not one more http_timeout


def test_local_paths_in_a_url_list_are_refused(tmp_path: Path, sites) -> None:  # type: ignore[no-untyped-def]
    port, pub, _inner = sites
    secret = tmp_path / "secret.md"
    secret.write_text("Private notes that must never be ingested through a URL list.\n", encoding="utf-8")
    listing = tmp_path / "sources.urls"
    lines = [str(secret), "secret.md", f"file://{secret}", "ftp://example.org/a.txt", f"http://{PUBLIC_STAND_IN}:{port}/news"]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(f"sqlite:///{tmp_path / 'tw.db'}") as store:
        report = ingest(store, [listing], settings=DEFAULT)
        assert [source for source, _ in report.failed] == lines[:4]
        assert all("is not an http(s) URL; URL lists may name only http(s) URLs" in why for _, why in report.failed)
        assert len(report.added) == 1 and store.count_documents() == 1
        assert "Private notes" not in store.get_document(report.added[0]).text
    assert pub.hits == ["/news"]
