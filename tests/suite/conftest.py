"""Fixtures for the suite machinery: fake checks in a private registry, and a mock Responses server."""

from __future__ import annotations

import pytest
from suitekit import FakeServer

from conformance.checks import CheckInfo


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, CheckInfo]:
    """A fresh, empty check registry, so fake checks do not pollute the real one."""
    fresh: dict[str, CheckInfo] = {}
    monkeypatch.setattr("conformance.checks._check.REGISTRY", fresh)  # the registry ``check`` writes to
    return fresh


@pytest.fixture
def fake_server() -> FakeServer:
    """A fresh mock server."""
    return FakeServer()
