"""Fixtures of the property tests: a faithful reference server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.reference.config import ServerConfig
from conformance.reference.server import ServerHandle, start_server

KEY = "property-key"


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    """A faithful reference server (openai flavour) on loopback."""
    handle = start_server(ServerConfig(api_key=KEY, think_time=0.0, keepalive_interval=0.05))
    yield handle
    handle.stop()
