"""Schemathesis against the app's own OpenAPI spec: no generated request may produce a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import TOKEN


def test_no_server_errors_for_any_operation(app) -> None:  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    strategy = st.one_of([op.as_strategy() for op in operations])
    seen: set[str] = set()

    @given(case=strategy)
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case) -> None:  # type: ignore[no-untyped-def]
        seen.add(f"{case.method} {case.path}")
        response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text}"
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}

    run()
    assert len(seen) >= 6, seen
