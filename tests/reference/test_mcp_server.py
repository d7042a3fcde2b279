"""The local MCP server: starts fast on a free loopback port, records headers, guards with a header."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from conformance.reference.mcp_server import start_mcp_server

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"},
    },
}
ACCEPT = {"accept": "application/json, text/event-stream"}


def test_port_zero_picks_a_free_port_that_accepts_connections_at_once():
    started = time.monotonic()
    handle = start_mcp_server()
    try:
        assert time.monotonic() - started < 2
        parts = urlsplit(handle.url)
        assert (parts.scheme, parts.hostname, parts.path) == ("http", "127.0.0.1", "/mcp")
        assert parts.port and parts.port > 0
        socket.create_connection((parts.hostname, parts.port), timeout=1).close()
    finally:
        handle.stop()


def test_stop_releases_the_port():
    handle = start_mcp_server()
    port = urlsplit(handle.url).port
    handle.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)


def test_every_request_is_recorded_with_its_headers():
    handle = start_mcp_server()
    try:
        response = httpx.post(handle.url, json=INITIALIZE, headers={**ACCEPT, "X-Trace": "abc"})
        assert response.status_code == 200
        assert handle.headers_seen[-1]["x-trace"] == "abc"
    finally:
        handle.stop()


def test_a_required_header_guards_every_request():
    handle = start_mcp_server(require_header=("Authorization", "Bearer s3cret"))
    try:
        assert httpx.post(handle.url, json=INITIALIZE, headers=ACCEPT).status_code == 401
        wrong = {**ACCEPT, "authorization": "Bearer nope"}
        assert httpx.post(handle.url, json=INITIALIZE, headers=wrong).status_code == 401
        right = {**ACCEPT, "authorization": "Bearer s3cret"}
        assert httpx.post(handle.url, json=INITIALIZE, headers=right).status_code == 200
        assert len(handle.headers_seen) == 3
    finally:
        handle.stop()
