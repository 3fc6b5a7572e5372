"""Security headers on every response and the Host check that stops DNS rebinding."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tripwire.web.app import create_app
from tripwire.web.guard import host_name, parse_hosts

from .conftest import K1

PAGES = ["/", "/incidents", f"/incidents/{K1.id}", "/timeline", "/map", "/chain", "/api/v1/incidents", "/api/v1/health", "/static/tripwire.css", "/api/v1/nowhere", "/incidents/no-such"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(app, path: str) -> None:  # type: ignore[no-untyped-def]
    response = TestClient(app).get(path)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_the_api_docs_are_served_under_the_same_csp(app) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI comes from the installed bundle and starts from a packaged script, so /docs needs no CSP exception."""
    response = TestClient(app).get("/docs")
    assert response.status_code == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("allowed", "host", "answered"),
    [
        ("localhost,127.0.0.1,::1", "localhost:8000", True),
        ("localhost,127.0.0.1,::1", "127.0.0.1:8000", True),
        ("localhost,127.0.0.1,::1", "[::1]:8000", True),
        ("localhost,127.0.0.1,::1", "LOCALHOST", True),
        ("localhost,127.0.0.1,::1", "rebound.attacker.example", False),  # DNS rebinding: the page's own name
        ("localhost,127.0.0.1,::1", "rebound.attacker.example:8000", False),
        ("localhost,127.0.0.1,::1", "localhost.attacker.example", False),
        ("localhost,127.0.0.1,::1", "127.0.0.1.nip.io", False),
        ("localhost,127.0.0.1,::1", "", False),
        ("tripwire.desk.example", "tripwire.desk.example", True),
        ("tripwire.desk.example", "localhost", False),
        ("*", "anything.example", True),
    ],
)
@pytest.mark.parametrize("path", ["/", "/api/v1/incidents", "/api/v1/redlines/history"])
def test_only_allowed_host_names_are_answered(seeded_store, web_settings, allowed: str, host: str, answered: bool, path: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(web_settings.replace(allowed_hosts=allowed), store=seeded_store))
    response = client.get(path, headers={"Host": host})
    if answered:
        assert response.status_code == 200, response.text[:200]
    else:
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_host" and "allowed_hosts" in response.json()["error"]["message"]
        assert K1.id not in response.text
        assert response.headers["x-frame-options"] == "DENY"


def test_host_parsing() -> None:
    assert parse_hosts(" localhost, [::1] ,Example.ORG,") == {"localhost", "::1", "example.org"}
    assert [host_name(h) for h in ("a.example:80", "[::1]:8000", "[::1]", "a.example", "a:b:c")] == ["a.example", "::1", "::1", "a.example", "a:b:c"]
