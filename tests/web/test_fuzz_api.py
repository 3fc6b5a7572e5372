"""Schemathesis against the app's own OpenAPI spec, on SQLite and on PostgreSQL: no server errors, and every response matches its documented schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance

from tripwire.store import Store
from tripwire.web.app import create_app

from .conftest import TOKEN, seed, settings_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture()
def app(db_url: str) -> Iterator[Any]:
    """The app over the seeded web-test store, on each backend (``db_url``)."""
    with Store(db_url) as store:
        seed(store)
        yield create_app(settings_for(db_url), store=store)


def test_no_server_errors_and_responses_match_the_schema(app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    strategy = st.one_of([op.as_strategy() for op in operations])
    seen: dict[str, set[int]] = {}

    @given(case=strategy)
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
        seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}

    run()
    assert len(seen) >= 6, seen
    assert any(code < 300 for codes in seen.values() for code in codes), seen
    assert any(code >= 400 for codes in seen.values() for code in codes), seen
