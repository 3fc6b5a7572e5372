"""The OpenAPI document matches the real responses: item schemas, and the error envelope for every error status."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from tripwire.settings import Settings

from .conftest import GREEN_ZONE, K1, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = "Rockets hit Camp Taji on Wednesday, killing two American service members and a British soldier."


@pytest.fixture()
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app)


def _validate(doc: dict[str, Any], template: str, method: str, response: Any) -> None:
    op = doc["paths"][template][method]
    documented = op["responses"].get(str(response.status_code))
    assert documented is not None, f"{method.upper()} {template} answered {response.status_code}, which the document does not list"
    schema = {**documented["content"]["application/json"]["schema"], "components": doc["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=str)
    assert not errors, f"{method.upper()} {template} {response.status_code}: {errors[0].message} at {list(errors[0].absolute_path)}"


@pytest.mark.parametrize(
    ("method", "template", "url", "kwargs", "status"),
    [
        ("get", "/api/v1/health", "/api/v1/health", {}, 200),
        ("get", "/api/v1/incidents", "/api/v1/incidents", {"params": {"limit": 1}}, 200),
        ("get", "/api/v1/incidents", "/api/v1/incidents", {"params": {"limit": 0}}, 422),
        ("get", "/api/v1/incidents/{incident_id}", f"/api/v1/incidents/{K1.id}", {}, 200),
        ("get", "/api/v1/incidents/{incident_id}", "/api/v1/incidents/no-such-incident", {}, 404),
        ("get", "/api/v1/incidents/{incident_id}/claims", f"/api/v1/incidents/{GREEN_ZONE.id}/claims", {}, 200),
        ("get", "/api/v1/incidents/{incident_id}/attribution", f"/api/v1/incidents/{K1.id}/attribution", {}, 200),
        ("get", "/api/v1/incidents/{incident_id}/attribution", "/api/v1/incidents/nope/attribution", {}, 404),
        ("get", "/api/v1/actions", "/api/v1/actions", {}, 200),
        ("get", "/api/v1/redlines", "/api/v1/redlines", {}, 200),
        ("get", "/api/v1/redlines/status", "/api/v1/redlines/status", {}, 200),
        ("get", "/api/v1/redlines/history", "/api/v1/redlines/history", {"params": {"incident_id": K1.id}}, 200),
        ("get", "/api/v1/escalation/forecast", "/api/v1/escalation/forecast", {"params": {"n_sims": 20}}, 200),
        ("get", "/api/v1/escalation/forecast", "/api/v1/escalation/forecast", {"params": {"window_days": -1}}, 422),
        ("post", "/api/v1/documents", "/api/v1/documents", {"json": {"text": ARTICLE, "published": "2020-03-13"}, "headers": AUTH}, 201),
        ("post", "/api/v1/documents", "/api/v1/documents", {"json": {"text": ARTICLE}}, 401),
        ("post", "/api/v1/documents", "/api/v1/documents", {"json": {"text": ""}, "headers": AUTH}, 422),
        ("post", "/api/v1/documents", "/api/v1/documents", {"content": b"x" * 30_000, "headers": {**AUTH, "Content-Type": "application/json"}}, 413),
        ("get", "/api/v1/incidents", "/api/v1/incidents", {"headers": {"Content-Length": "lots"}}, 400),
    ],
)
def test_real_responses_match_the_document(client: TestClient, method: str, template: str, url: str, kwargs: dict[str, Any], status: int) -> None:
    doc = client.get("/openapi.json").json()
    response = client.request(method.upper(), url, **kwargs)
    assert response.status_code == status, response.text
    _validate(doc, template, method, response)


def test_writes_disabled_answers_403_as_documented(seeded_store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tripwire.web.app import create_app

    app = create_app(Settings({"database_url": f"sqlite:///{tmp_path / 'web.db'}"}, environ={}), store=seeded_store)
    client = TestClient(app, base_url="http://localhost")  # the host check lets local names through
    response = client.post("/api/v1/documents", json={"text": ARTICLE}, headers=AUTH)
    assert response.status_code == 403 and response.json()["error"]["code"] == "writes_disabled"
    _validate(client.get("/openapi.json").json(), "/api/v1/documents", "post", response)


def test_the_document_uses_the_envelope_not_fastapi_defaults(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["ErrorEnvelope"]["required"] == ["error"]
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    for template, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert response["content"]["application/json"]["schema"] == envelope, (method, template, status)
            if "{" in template:
                assert "404" in op["responses"], (method, template)
            assert any(s in op["responses"] for s in ("200", "201")), (method, template)
    assert {"401", "403", "413", "422"} <= set(doc["paths"]["/api/v1/documents"]["post"]["responses"])
    assert doc["paths"]["/api/v1/incidents/{incident_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Incident"}
