"""Fixtures for the suite machinery: fake checks in a private registry, and a mock Responses server."""

from __future__ import annotations

import pytest
from suitekit import FakeServer

from conformance.checks import _check


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, _check.CheckInfo]:
    """A fresh, empty check registry, so fake checks do not pollute the real one."""
    fresh: dict[str, _check.CheckInfo] = {}
    monkeypatch.setattr(_check, "REGISTRY", fresh)
    return fresh


@pytest.fixture
def fake_server() -> FakeServer:
    """A fresh mock server."""
    return FakeServer()
