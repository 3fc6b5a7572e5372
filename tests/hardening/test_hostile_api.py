"""Hostile requests against the web API: each gets a 4xx in the JSON envelope (404 for static files), never a 500,
and leaves the store exactly as it was.

Complements ``tests/web/test_api.py`` (envelope, auth, SQL injection in ids, a
413 for a big JSON body with a Content-Length) with what it does not cover:
chunked bodies with no Content-Length, deeply nested JSON, invalid UTF-8,
enormous query strings and paths, lying Content-Length headers and path
traversal under ``/static`` -- both as the test client sends it and as raw
ASGI paths that no client normalised first -- and NUL characters in every POST
field and lookup (PostgreSQL refuses NUL in text). Every test runs on SQLite
and on a real PostgreSQL server (``db_url``, skipped when none can be started).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tripwire.model import Document
from tripwire.settings import Settings
from tripwire.store import Store
from tripwire.web.app import create_app

TOKEN = "hardening-token"
LIMIT = 20_000
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
ARTICLE = "Two drones struck a supply depot near Erbil airport on Sunday night, wounding a contractor, coalition officials said."


@pytest.fixture()
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as s:
        s.add_document(Document.from_text(ARTICLE, location="https://example.org/hardening/erbil-drones"))
        yield s


#: every status answered so far, per backend (the closing figures of docs/hardening.md count them)
ANSWERED: dict[str, Counter[int]] = {}


@pytest.fixture()
def client(store: Store, db_url: str) -> Iterator[TestClient]:
    """A client of the app over ``store``; every response it gets, and every raw ASGI answer, must be under 500."""
    settings = Settings({"database_url": db_url, "api_token": TOKEN, "max_request_bytes": LIMIT, "allowed_hosts": "testserver"}, environ={})
    statuses: list[int] = []
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        c.event_hooks = {"request": [], "response": [lambda response: statuses.append(response.status_code)]}
        c.statuses = statuses  # type: ignore[attr-defined]
        yield c
    ANSWERED.setdefault(store.dialect, Counter()).update(statuses)
    assert statuses, "the test sent no request"
    assert max(statuses) < 500, f"a server error: {sorted(statuses)}"


def snapshot(store: Store) -> tuple[dict[str, int], list[str]]:
    """Row counts of every table and the stored document ids."""
    return store.info().counts, sorted(d.id for d in store.list_documents(limit=1000))


def assert_refused(response: Any, statuses: set[int]) -> dict[str, Any]:
    """A 4xx among ``statuses`` in the error envelope; returns the error object."""
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


def chunks(total: int, size: int = 4096, prefix: bytes = b"") -> Iterator[bytes]:
    """A request body streamed in pieces (the client then sends no Content-Length)."""
    yield prefix
    sent = len(prefix)
    while sent < total:
        piece = b"x" * min(size, total - sent)
        sent += len(piece)
        yield piece


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda: chunks(LIMIT * 5), id="junk-5x-limit"),
        pytest.param(lambda: chunks(LIMIT + 1, size=1), id="one-byte-chunks-just-over"),
        pytest.param(lambda: chunks(LIMIT * 50, prefix=b'{"text": "'), id="json-string-50x-limit"),
    ],
)
def test_chunked_body_over_the_limit_is_refused(client: TestClient, store: Store, body: Any) -> None:
    before = snapshot(store)
    error = assert_refused(client.post("/api/v1/documents", content=body(), headers=AUTH), {413})
    assert error["code"] == "too_large"
    assert snapshot(store) == before


def test_chunked_body_under_the_limit_is_read_whole(client: TestClient, store: Store) -> None:
    """A legitimate chunked upload must reach the endpoint intact (the limit check may not swallow it)."""
    payload = json.dumps({"text": ARTICLE.replace("Sunday", "Monday"), "title": "Drones hit Erbil depot"}).encode()
    pieces = iter([payload[:10], payload[10:40], payload[40:]])
    response = client.post("/api/v1/documents", content=pieces, headers=AUTH)
    assert response.status_code == 201, response.text[:300]
    assert store.count_documents() == 2


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 9000 + b"]" * 9000,
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        b'{"text": ' + b"[" * 5000 + b'"x"' + b"]" * 5000 + b"}",
        b'{"text": "ok", "title": ' + b'{"t":' * 2000 + b"null" + b"}" * 2000 + b"}",
        b"[" * 15000,  # nested and never closed
    ],
    ids=["arrays", "objects", "nested-text", "nested-title", "unclosed"],
)
def test_deeply_nested_json_is_refused(client: TestClient, store: Store, body: bytes) -> None:
    assert len(body) < LIMIT
    before = snapshot(store)
    assert_refused(client.post("/api/v1/documents", content=body, headers=AUTH), {400, 422})
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "Rockets \xff\xfe hit Erbil"}',
        b'{"text": "overlong \xc0\xaf slash"}',
        b'{"text": "lone continuation \x80\x80"}',
        b'{"text": "truncated \xe2\x82"}',
        b'{"text": "surrogate bytes \xed\xa0\x80"}',
        b'{"text": "escaped lone surrogate \\ud800 in Erbil"}',
        b"\xff" * 100,
    ],
    ids=["ff-fe", "overlong", "continuation", "truncated", "cesu-surrogate", "escaped-surrogate", "all-ff"],
)
def test_invalid_utf8_in_the_body_is_refused(client: TestClient, store: Store, body: bytes) -> None:
    before = snapshot(store)
    assert_refused(client.post("/api/v1/documents", content=body, headers=AUTH), {400, 415, 422})
    assert snapshot(store) == before


NUL_FIELDS = [
    {"text": "Rockets hit\u0000 the base near Erbil on Sunday, officials said."},
    {"text": "Rockets hit the base near Erbil on Sunday, officials said.", "title": "Erbil\u0000 rockets"},
    {"text": "Rockets hit the base near Erbil on Monday, officials said.", "outlet": "Wire\u0000 Desk"},
    {"text": "Rockets hit the base near Erbil on Tuesday, officials said.", "url": "https://example.org/\u0000erbil"},
    {"text": "\u0000Rockets\u0000 hit\u0000 Erbil\u0000", "title": "\u0000", "outlet": "\u0000", "url": "\u0000"},
]


@pytest.mark.parametrize("fields", NUL_FIELDS, ids=["text", "title", "outlet", "url", "everywhere"])
def test_nul_characters_in_post_fields_are_dropped_on_every_backend(client: TestClient, store: Store, fields: dict[str, str]) -> None:
    response = client.post("/api/v1/documents", json=fields, headers=AUTH)
    assert response.status_code == 201, response.text[:300]
    doc = store.get_document(response.json()["id"])
    for name, key in (("text", "text"), ("title", "title"), ("outlet", "outlet"), ("url", "location")):
        if name in fields:
            assert getattr(doc, key) == fields[name].replace("\x00", "")
    assert "\x00" not in json.dumps(client.get("/api/v1/incidents").json())


@pytest.mark.parametrize("text", [" ", "\n\n\t  \r\n", "\u00a0\u2003\u3000", "\u0000\u0000", " \u0000 \n"], ids=["space", "breaks", "unicode-spaces", "nuls", "mixed"])
def test_a_post_with_no_words_is_refused_and_stores_nothing(client: TestClient, store: Store, text: str) -> None:
    before = snapshot(store)
    error = assert_refused(client.post("/api/v1/documents", json={"text": text, "title": "Blank"}, headers=AUTH), {422})
    assert error["code"] == "invalid_request" and "only whitespace" in json.dumps(error)
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents/%00",
        "/api/v1/incidents/a%00b/claims",
        "/api/v1/incidents/%00/attribution",
        "/api/v1/redlines/history?rule_id=%00",
        "/api/v1/redlines/history?incident_id=x%00y",
        "/api/v1/incidents?country=I%00",
        "/incidents/%00",
    ],
)
def test_nul_characters_in_lookups_never_fail_the_server(client: TestClient, store: Store, url: str) -> None:
    before = snapshot(store)
    response = client.get(url)
    assert response.status_code < 500, response.text[:300]
    assert snapshot(store) == before


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/incidents", {"country": "Q" * 60_000}),
        ("/api/v1/incidents", {"since": "2" * 60_000}),
        ("/api/v1/incidents", {"limit": "9" * 60_000}),
        ("/api/v1/incidents", {"offset": "9" * 4_400}),  # above int parsing's digit limit
        ("/api/v1/actions", {"limit": "-" + "9" * 30_000}),
        ("/api/v1/redlines/history", {"rule_id": "r" * 60_000}),
        ("/api/v1/redlines/history", {"incident_id": "%" * 20_000}),
        ("/api/v1/events", {"since": "9" * 60_000, "timeout": "0.1"}),
        ("/api/v1/events", {"timeout": "1e309"}),
    ],
    ids=["country", "since", "limit", "offset-digits", "negative-limit", "rule-id", "incident-id-percent", "events-since", "events-inf"],
)
def test_huge_query_values_are_refused(client: TestClient, store: Store, path: str, params: dict[str, str]) -> None:
    before = snapshot(store)
    error = assert_refused(client.get(path, params=params), {422})
    assert error["code"] == "invalid_request"
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/incidents?" + "a=1&" * 15_000,
        "/api/v1/incidents?" + "limit=1&" * 7_000,
        "/api/v1/incidents?" + "&" * 60_000,
        "/api/v1/incidents/" + "x" * 60_000,
        "/api/v1/incidents/" + "%2F" * 15_000 + "/claims",
        "/incidents/" + "y" * 60_000,
    ],
    ids=["many-unknown-params", "repeated-param", "only-separators", "huge-id", "encoded-slashes", "huge-page-id"],
)
def test_huge_query_strings_and_paths_never_fail_the_server(client: TestClient, store: Store, url: str) -> None:
    before = snapshot(store)
    response = client.get(url)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert_refused(response, {400, 404, 414, 422})
    assert snapshot(store) == before


@pytest.mark.parametrize(
    "length",
    ["abc", "-1", "1e3", " 10", "99999999999999999999999999", "5, 5"],
)
def test_lying_content_length_is_refused(client: TestClient, store: Store, length: str) -> None:
    before = snapshot(store)
    response = client.post("/api/v1/documents", content=b'{"text": "x"}', headers={**AUTH, "Content-Length": length})
    assert_refused(response, {400, 413, 422})
    assert snapshot(store) == before


TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e%2f%2e%2e%2fapp.py",
    "/static/....//....//etc/passwd",
    "/static/..%5c..%5cetc%5cpasswd",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/live.js%00.html",
    "/static/%00",
    "/static/..%252f..%252fetc%252fpasswd",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_static_path_traversal_through_the_client(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, (response.status_code, response.text[:200])
    assert "root:" not in response.text and "def create_app" not in response.text


def raw_get(client: TestClient, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as given (no client-side normalisation of ``..``), straight through ASGI to the client's app."""
    app = client.app
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode("latin-1"), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    client.statuses.append(status)  # type: ignore[attr-defined]
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/../app.py",
        "/static/../../store/store.py",
        "/static/./../templates/board.html.j2",
        "/static/subdir/../../api.py",
        "/static/..\\..\\app.py",
        "/static//etc/passwd",
    ],
)
def test_static_path_traversal_as_raw_asgi_paths(client: TestClient, path: str) -> None:
    status, body = raw_get(client, path)
    assert status == 404, (status, body[:200])
    assert b"root:" not in body and b"import" not in body and b"{%" not in body
