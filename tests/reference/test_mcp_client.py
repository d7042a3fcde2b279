"""The reference server's MCP client against the local MCP server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from conformance.reference.mcp_client import McpError, call_tool, list_tools
from conformance.reference.mcp_server import McpServerHandle, start_mcp_server

TOKEN = ("Authorization", "Bearer s3cret")


@pytest.fixture(scope="module")
def server() -> Iterator[McpServerHandle]:
    """An open local MCP server."""
    handle = start_mcp_server()
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def guarded() -> Iterator[McpServerHandle]:
    """A local MCP server that wants the bearer token."""
    handle = start_mcp_server(require_header=TOKEN)
    yield handle
    handle.stop()


def test_tools_are_listed_with_names_descriptions_and_schemas(server):
    tools = asyncio.run(list_tools(server.url, {}))
    assert [tool["name"] for tool in tools] == ["echo", "add"]
    echo, add = tools
    assert echo["description"] == "Return the text unchanged."
    assert echo["input_schema"]["properties"]["text"]["type"] == "string"
    assert echo["input_schema"]["required"] == ["text"]
    assert set(add["input_schema"]["properties"]) == {"a", "b"}


def test_echo_and_add_give_their_deterministic_output(server):
    assert asyncio.run(call_tool(server.url, {}, "echo", {"text": "hi \u2028 there"})) == (
        "hi \u2028 there",
        False,
    )
    assert asyncio.run(call_tool(server.url, {}, "add", {"a": 2, "b": 40})) == ("42", False)


def test_a_tool_error_is_output_with_is_error_not_an_exception(server):
    text, is_error = asyncio.run(call_tool(server.url, {}, "no_such_tool", {}))
    assert is_error
    assert "no_such_tool" in text


def test_headers_are_forwarded_to_the_server(guarded):
    before = len(guarded.headers_seen)
    headers = {TOKEN[0]: TOKEN[1], "X-Request-Tag": "conformance"}
    assert asyncio.run(call_tool(guarded.url, headers, "add", {"a": 1, "b": 1})) == ("2", False)
    seen = guarded.headers_seen[before:]
    assert seen
    assert all(h["authorization"] == "Bearer s3cret" and h["x-request-tag"] == "conformance" for h in seen)


def test_a_missing_required_header_is_an_mcp_error_naming_the_status(guarded):
    with pytest.raises(McpError, match=r"answered HTTP 401$"):
        asyncio.run(list_tools(guarded.url, {}))


def test_a_closed_port_is_an_mcp_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(McpError, match=f"127.0.0.1:{port}/mcp failed: ConnectError"):
        asyncio.run(list_tools(f"http://127.0.0.1:{port}/mcp", {}))


def test_a_server_that_never_answers_times_out_instead_of_hanging():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://user:pw@127.0.0.1:{silent.getsockname()[1]}/mcp?sig=secret"
        with pytest.raises(McpError) as caught:
            asyncio.run(list_tools(url, {}, timeout=0.3))
    message = str(caught.value)
    assert "0.3 s" in message
    assert "secret" not in message and "pw" not in message
    assert "\n" not in message
