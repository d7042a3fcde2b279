"""Fixtures: reference servers (OpenAI and Azure flavour) over real HTTP on 127.0.0.1, and local MCP servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from refkit import MCP_TOKEN, Ref, start

from conformance.reference.mcp_server import McpServerHandle, start_mcp_server
from conformance.reference.server import ServerHandle


@pytest.fixture(scope="session")
def openai_server() -> Iterator[ServerHandle]:
    """An OpenAI-flavour reference server (in-memory store)."""
    handle = start("openai")
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def azure_server() -> Iterator[ServerHandle]:
    """An Azure-flavour reference server (in-memory store)."""
    handle = start("azure")
    yield handle
    handle.stop()


@pytest.fixture(params=["openai", "azure-v1", "azure-deployments"])
def ref(request: pytest.FixtureRequest) -> Ref:
    """A checking client in each URL style (OpenAI style on the OpenAI flavour, Azure styles on Azure)."""
    server = request.getfixturevalue("openai_server" if request.param == "openai" else "azure_server")
    return Ref(server, request.param)


@pytest.fixture
def oa(openai_server: ServerHandle) -> Ref:
    """A checking client of the OpenAI-flavour server."""
    return Ref(openai_server, "openai")


@pytest.fixture
def az(azure_server: ServerHandle) -> Ref:
    """A checking client of the Azure-flavour server (v1 surface)."""
    return Ref(azure_server, "azure-v1")


@pytest.fixture(scope="session")
def mcp_open() -> Iterator[McpServerHandle]:
    """A local MCP server with the tools echo and add."""
    handle = start_mcp_server()
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def mcp_guarded() -> Iterator[McpServerHandle]:
    """A local MCP server that requires a bearer token."""
    handle = start_mcp_server(require_header=MCP_TOKEN)
    yield handle
    handle.stop()
