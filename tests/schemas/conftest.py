"""The metadata engine is pure Python: its tests need no database and no Temporal server,
so the session-wide autouse fixtures of tests/conftest.py are replaced by no-ops here."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def db() -> None:
    """No database for the engine's tests."""


@pytest.fixture(scope="session", autouse=True)
def temporal_worker() -> None:
    """No Temporal worker for the engine's tests."""
