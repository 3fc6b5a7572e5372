"""Fixtures for CLI tests: the ingest fixture folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.conftest import FIXTURES


@pytest.fixture
def fixtures() -> Path:
    """Articles and feeds written for the ingest tests (tests/ingest/fixtures)."""
    return FIXTURES
