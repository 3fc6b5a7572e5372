from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from .conftest import GREEN_ZONE, K1, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = (
    "Rockets struck near Erbil International Airport on Monday night, killing a civilian contractor. "
    "A group calling itself Saraya Awliya al-Dam claimed responsibility."
)


@pytest.fixture()
def client(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app)


def assert_envelope(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_incidents_are_paginated_and_filtered(client: TestClient) -> None:
    page = client.get("/api/v1/incidents", params={"limit": 1}).json()
    assert page["total"] == 2 and page["limit"] == 1 and len(page["items"]) == 1
    second = client.get("/api/v1/incidents", params={"limit": 1, "offset": 1}).json()
    assert {page["items"][0]["id"], second["items"][0]["id"]} == {K1.id, GREEN_ZONE.id}
    since = client.get("/api/v1/incidents", params={"since": "2020-01-01"}).json()
    assert [i["id"] for i in since["items"]] == [GREEN_ZONE.id]
    assert client.get("/api/v1/incidents", params={"country": "SY"}).json()["items"] == []


@pytest.mark.parametrize(
    ("path", "params", "total", "items"),
    [
        ("/api/v1/incidents", {"country": "IQ", "limit": 1}, 2, 1),
        ("/api/v1/incidents", {"country": "iq", "offset": 7}, 2, 0),
        ("/api/v1/incidents", {"since": "2020-01-01", "limit": 1, "offset": 5}, 1, 0),
        ("/api/v1/incidents", {"until": "2020-01-01"}, 1, 1),
        ("/api/v1/incidents", {"country": "SY"}, 0, 0),
        ("/api/v1/actions", {"limit": 1}, 1, 1),
        ("/api/v1/actions", {"offset": 3}, 1, 0),
    ],
)
def test_page_totals_are_the_true_count(client: TestClient, path: str, params: dict, total: int, items: int) -> None:  # type: ignore[type-arg]
    """``total`` counts every matching row, not ``offset + len(items)``."""
    page = client.get(path, params=params).json()
    assert (page["total"], len(page["items"])) == (total, items)


def test_incident_claims_and_attribution(client: TestClient) -> None:
    incident = client.get(f"/api/v1/incidents/{K1.id}").json()
    assert incident["casualties"][0] == {"status": "killed", "count": 1, "nationality": "US", "category": "contractor", "approximate": False}
    claims = client.get(f"/api/v1/incidents/{K1.id}/claims").json()
    assert [c["kind"] for c in claims] == ["alleged", "assessed"]
    attribution = client.get(f"/api/v1/incidents/{K1.id}/attribution").json()
    assert abs(sum(e["probability"] for e in attribution["posterior"]) - 1.0) < 1e-9
    assert attribution["evidence"][0]["log_lr"]
    assert [e["confidence"] for e in attribution["posterior"]] == ["moderate", "moderate", "moderate"]
    assert attribution["basis"] == {"origins": 2, "best_reliability": 0.8, "dissent": 1}


def test_redline_status_and_history(client: TestClient) -> None:
    status = client.get("/api/v1/redlines/status").json()
    assert {(e["incident_id"], e["status"]) for e in status["items"]} == {(K1.id, "watch"), (GREEN_ZONE.id, "clear")} and status["total"] == 2
    assert {e["incident_id"]: e["confidence"] for e in status["items"]} == {K1.id: "moderate", GREEN_ZONE.id: None}
    history = client.get("/api/v1/redlines/history", params={"incident_id": K1.id}).json()
    assert len(history["items"]) == 1 and history["items"][0]["words"] == "unlikely" and history["total"] == 1
    page = client.get("/api/v1/redlines/status", params={"limit": 1, "offset": 1}).json()
    assert (len(page["items"]), page["total"]) == (1, 2) and page["items"][0]["incident_id"] == status["items"][1]["incident_id"]
    assert client.get("/api/v1/redlines/history", params={"limit": 1, "offset": 9}).json() == {"items": [], "total": 2, "limit": 1, "offset": 9}
    assert client.get("/api/v1/redlines/history", params={"limit": 5001}).status_code == 422


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("get", "/api/v1/incidents/no-such-incident", {}, 404, "not_found"),
        ("get", "/api/v1/nowhere", {}, 404, "not_found"),
        ("get", "/api/v1/incidents", {"params": {"limit": 0}}, 422, "invalid_request"),
        ("get", "/api/v1/incidents", {"params": {"since": "2019-13-45"}}, 422, "invalid_request"),
        ("get", "/api/v1/incidents", {"params": {"country": "IQ' OR 1=1 --"}}, 422, "invalid_request"),
        ("delete", "/api/v1/incidents", {}, 405, "method_not_allowed"),
        ("post", "/api/v1/documents", {"json": {"text": ARTICLE}}, 401, "unauthorized"),
        ("post", "/api/v1/documents", {"json": {"text": ARTICLE}, "headers": {"Authorization": "Bearer wrong"}}, 401, "unauthorized"),
        ("post", "/api/v1/documents", {"json": {"text": ""}, "headers": AUTH}, 422, "invalid_request"),
        ("post", "/api/v1/documents", {"content": b"{not json", "headers": {**AUTH, "Content-Type": "application/json"}}, 422, "invalid_request"),
        ("post", "/api/v1/documents", {"json": {"text": "x" * 50_000}, "headers": AUTH}, 413, "too_large"),
    ],
)
def test_every_failure_uses_the_envelope(client: TestClient, method: str, path: str, kwargs: dict, status: int, code: str) -> None:
    assert_envelope(getattr(client, method)(path, **kwargs), status, code)


def test_sql_injection_in_ids_finds_nothing_and_harms_nothing(client: TestClient) -> None:
    for hostile in ["x' OR '1'='1", "1; DROP TABLE incidents; --", "%27%20OR%201=1"]:
        assert_envelope(client.get(f"/api/v1/incidents/{hostile}"), 404, "not_found")
        client.get("/api/v1/redlines/history", params={"rule_id": hostile})
    assert client.get("/api/v1/incidents").json()["total"] == 2


def test_writes_disabled_without_a_configured_token(seeded_store, web_settings) -> None:  # type: ignore[no-untyped-def]
    from tripwire.web.app import create_app

    client = TestClient(create_app(web_settings.replace(api_token=""), store=seeded_store))
    assert_envelope(client.post("/api/v1/documents", json={"text": ARTICLE}, headers=AUTH), 403, "writes_disabled")


def test_posting_an_article_stores_it_once_and_extracts_it(client: TestClient) -> None:
    before = client.get("/api/v1/health").json()
    first = client.post("/api/v1/documents", json={"text": ARTICLE, "title": "Erbil", "published": "2021-02-16"}, headers=AUTH)
    assert first.status_code == 201, first.text
    again = client.post("/api/v1/documents", json={"text": ARTICLE, "title": "Erbil", "published": "2021-02-16"}, headers=AUTH)
    assert first.json()["added"] is True and again.json()["added"] is False
    after = client.get("/api/v1/health").json()
    assert after["documents"] == before["documents"] + 1
    assert after["version"] == before["version"] + 2
    assert first.json()["incidents"], "the Erbil attack should be extracted"


def test_openapi_spec_lists_the_endpoints(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ["/api/v1/incidents", "/api/v1/incidents/{incident_id}/attribution", "/api/v1/redlines/history", "/api/v1/documents"]:
        assert path in spec["paths"]


def test_escalation_forecast_from_stored_events(client: TestClient) -> None:
    response = client.get("/api/v1/escalation/forecast", params={"window_days": 30, "n_sims": 200, "seed": 3})
    assert "NaN" not in response.text and "Infinity" not in response.text  # strict JSON
    body = response.json()
    assert body["origin"] == "2019-12-27"
    dims = body["forecast"]
    assert set(body["fit"]["dimensions"]) == {"attacks", "us-strikes"}
    for name, d in dims["dimensions"].items():
        # the simulated mean agrees with the exact expected count within Monte Carlo error
        assert abs(d["mean_count"] - d["expected_count"]) < 4 * (d["expected_count"] / 200) ** 0.5 + 0.02, name
        assert 0 <= d["p_any"] <= 1
    # one US strike followed the first attack within days, so the fitted model expects strikes to follow attacks
    assert body["fit"]["dimensions"]["us-strikes"]["n_events"] == 1
    again = client.get("/api/v1/escalation/forecast", params={"window_days": 30, "n_sims": 200, "seed": 3}).json()
    assert again == body  # seeded: the same answer twice


def test_forecasts_are_computed_once_per_store_state_and_a_few_at_a_time(seeded_store, web_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    from tripwire.escalate import store_forecast
    from tripwire.web import api
    from tripwire.web.app import create_app

    real = store_forecast.forecast_from_events
    calls: list[int] = []
    running = [0, 0]  # now, most at once
    lock = threading.Lock()

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            calls.append(kwargs["seed"])
            running[0] += 1
            running[1] = max(running)
        time.sleep(0.3)
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(store_forecast, "forecast_from_events", counted)
    client = TestClient(create_app(web_settings, store=seeded_store))
    params = {"n_sims": 50, "seed": 1}
    first = client.get("/api/v1/escalation/forecast", params=params).json()
    assert client.get("/api/v1/escalation/forecast", params=params).json() == first and calls == [1]  # served from memory
    seeded_store.save_incident(K1.model_copy(update={"id": "2019-12-28-k1-follow-up"}))  # the store changed: computed again
    client.get("/api/v1/escalation/forecast", params=params)
    assert calls == [1, 1]
    results: list[int] = []
    threads = [threading.Thread(target=lambda s=s: results.append(client.get("/api/v1/escalation/forecast", params={"n_sims": 50, "seed": 10 + s}).status_code)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [200] * 6 and running[1] <= api.FORECAST_SLOTS and len(calls) == 8


def test_a_forecast_that_cannot_get_a_slot_is_503_busy(seeded_store, web_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tripwire.web import api
    from tripwire.web.app import create_app

    monkeypatch.setattr(api, "FORECAST_WAIT_S", 0.05)
    app = create_app(web_settings, store=seeded_store)
    slots = app.state.tripwire.forecast_slots
    for _ in range(api.FORECAST_SLOTS):
        assert slots.acquire(timeout=1)
    try:
        assert_envelope(TestClient(app).get("/api/v1/escalation/forecast", params={"n_sims": 50}), 503, "busy")
    finally:
        for _ in range(api.FORECAST_SLOTS):
            slots.release()


def test_escalation_forecast_needs_events(seeded_store, web_settings) -> None:  # type: ignore[no-untyped-def]
    from tripwire.store import Store
    from tripwire.web.app import create_app

    empty = Store(web_settings.database_url.replace("web.db", "empty.db"))
    client = TestClient(create_app(web_settings, store=empty))
    assert_envelope(client.get("/api/v1/escalation/forecast"), 422, "estimation_error")
    empty.close()


def test_a_posted_report_of_a_known_attack_merges_into_it(client: TestClient, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = "Rockets struck near Erbil International Airport on Monday night, killing a civilian contractor."
    second = "A group calling itself Saraya Awliya al-Dam claimed responsibility for the rocket attack on Erbil International Airport on Monday night."
    a = client.post("/api/v1/documents", json={"text": first, "published": "2021-02-16"}, headers=AUTH).json()
    b = client.post("/api/v1/documents", json={"text": second, "published": "2021-02-16"}, headers=AUTH).json()
    assert a["incidents"] and a["incidents"] == b["incidents"], (a, b)
    incident = client.get(f"/api/v1/incidents/{b['incidents'][0]}").json()
    assert {a["id"], b["id"]} <= set(incident["documents"])
    assert incident["casualties"] and sum(c["count"] for c in incident["casualties"] if c["status"] == "killed") == 1
    assert "claimed" in {c["kind"] for c in incident["attributions"]}


def _sql_count(url: str, sql: str) -> int:
    import sqlalchemy as sa

    from tripwire.store.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_totals_stay_true_counts_after_writes_elsewhere(busy_app, seeded_store) -> None:  # type: ignore[no-untyped-def]
    """Totals are reused per table version: a write through another ``Store`` on the same file changes them at once."""
    from tripwire.model import Action
    from tripwire.store import Store

    from .conftest import busy_incidents

    client = TestClient(busy_app)
    url = seeded_store.url
    queries = {
        "/api/v1/incidents?limit=1": "SELECT count(*) FROM incidents WHERE superseded_by IS NULL",
        "/api/v1/incidents?country=SY&limit=1": "SELECT count(*) FROM incidents WHERE superseded_by IS NULL AND country = 'SY'",
        "/api/v1/incidents?since=2024-01-01&until=2024-06-30&limit=1": "SELECT count(*) FROM incidents WHERE superseded_by IS NULL AND date BETWEEN '2024-01-01' AND '2024-06-30'",
        "/api/v1/actions?limit=1": "SELECT count(*) FROM actions",
    }

    def check() -> dict[str, int]:
        totals = {path: client.get(path).json()["total"] for path in queries}
        assert totals == {path: _sql_count(url, sql) for path, sql in queries.items()}
        return totals

    first = check()
    assert first == check() and seeded_store.counts.hits >= len(queries)  # the second round came from memory
    victims = [i for i in busy_incidents() if i.place and i.place.country == "SY" and i.date and i.date.year == 2024][:2]
    with Store(url) as other:
        other.supersede_incidents({victims[0].id: K1.id, victims[1].id: K1.id})
        other.save_action(Action(id="2024-02-03-us-airstrikes-syria", kind="airstrike", actor="usa", date=dt.date(2024, 2, 3)))
    after = check()
    assert after["/api/v1/incidents?limit=1"] == first["/api/v1/incidents?limit=1"] - 2
    assert after["/api/v1/incidents?country=SY&limit=1"] == first["/api/v1/incidents?country=SY&limit=1"] - 2
    assert after["/api/v1/actions?limit=1"] == first["/api/v1/actions?limit=1"] + 1


def test_pages_carry_the_same_data_as_the_models_dumped(busy_app, seeded_store) -> None:  # type: ignore[no-untyped-def]
    """Pages are written by their schema in one pass: the items are exactly ``model_dump(mode="json")`` of the stored models."""
    from tripwire.web.api import dump

    client = TestClient(busy_app)
    incidents = client.get("/api/v1/incidents", params={"limit": 500})
    assert incidents.headers["content-type"] == "application/json"
    assert incidents.json() == {"items": dump(seeded_store.list_incidents(limit=500)), "total": 62, "limit": 500, "offset": 0}
    assert client.get("/api/v1/incidents", params={"country": "SY", "limit": 3}).json()["items"] == dump(seeded_store.list_incidents(country="SY", limit=3))
    assert client.get("/api/v1/actions").json()["items"] == dump(seeded_store.list_actions(limit=100))
    assert client.get("/api/v1/redlines/status").json()["items"] == dump(seeded_store.latest_evaluations(limit=500))
    assert client.get("/api/v1/redlines/history").json()["items"] == dump(seeded_store.evaluation_history(limit=500))


def test_filtered_totals_after_writes_elsewhere_come_from_the_day_counts(db_url: str) -> None:
    """On both backends: a second ``Store`` moves, supersedes and adds incidents; every filtered ``total`` equals a plain count, read without counting incidents."""
    import sqlalchemy as sa

    from tripwire.store import Store
    from tripwire.web.app import create_app

    from .conftest import busy_incidents, settings_for

    queries = {
        "/api/v1/incidents?country=SY&since=2024-01-01&limit=5": "country = 'SY' AND date >= '2024-01-01'",
        "/api/v1/incidents?country=iq&until=2024-03-31&limit=5": "country = 'IQ' AND date <= '2024-03-31'",
        "/api/v1/incidents?since=2024-02-01&until=2024-06-30&limit=5": "date BETWEEN '2024-02-01' AND '2024-06-30'",
        "/api/v1/incidents?country=JO&limit=5": "country = 'JO'",
    }
    incidents = busy_incidents()
    with Store(db_url) as store, Store(db_url) as other:
        for incident in incidents:
            store.save_incident(incident)
        client = TestClient(create_app(settings_for(db_url), store=store))
        seen: list[str] = []
        sa.event.listen(store._engine, "before_cursor_execute", lambda _c, _k, statement, *_r: seen.append(statement.lower()))

        def check() -> dict[str, int]:
            seen.clear()
            totals = {path: client.get(path).json()["total"] for path in queries}
            assert not any("count(" in s for s in seen), seen  # pages and day-count sums only
            assert totals == {path: _sql_count(db_url, f"SELECT count(*) FROM incidents WHERE superseded_by IS NULL AND {where}") for path, where in queries.items()}
            return totals

        first = check()
        syrian = [i for i in incidents if i.place and i.place.country == "SY" and i.date and i.date.year == 2024]
        other.supersede_incidents({syrian[0].id: incidents[0].id})
        moved = syrian[1]
        other.save_incident(moved.model_copy(update={"place": moved.place.model_copy(update={"country": "JO"}), "date": dt.date(2024, 3, 1)}))
        after = check()
        assert after["/api/v1/incidents?country=SY&since=2024-01-01&limit=5"] == first["/api/v1/incidents?country=SY&since=2024-01-01&limit=5"] - 2
        assert after["/api/v1/incidents?country=JO&limit=5"] == first["/api/v1/incidents?country=JO&limit=5"] + 1
