"""The local MCP server: starts fast on a free loopback port, logs headers and tool calls, guards with a header,
serves its log behind a token; the suite reads that log over HTTP."""

from __future__ import annotations

import asyncio
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from conformance.checks import HarnessError
from conformance.reference.mcp_client import call_tool
from conformance.reference.mcp_server import LOG_FORMAT, start_mcp_server
from conformance.run.mcp_log import RemoteMcpLog, log_url

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


def test_every_tool_call_is_logged_with_arguments_headers_and_output():
    handle = start_mcp_server()
    try:
        assert asyncio.run(call_tool(handle.url, {"X-Probe": "p1"}, "echo", {"text": "hi"})) == ("hi", False)
        assert asyncio.run(call_tool(handle.url, {}, "add", {"a": 2, "b": 40})) == ("42", False)
        echo, add = handle.log.calls()
        assert (echo["tool"], echo["arguments"], echo["output"], echo["headers"]["x-probe"]) == ("echo", {"text": "hi"}, "hi", "p1")
        assert (add["tool"], add["arguments"], add["output"]) == ("add", {"a": 2, "b": 40}, "42")
    finally:
        handle.stop()


def test_the_log_is_served_only_with_its_token_and_only_when_given_one():
    plain = start_mcp_server()
    guarded = start_mcp_server(log_token="t0ken")
    try:
        assert httpx.get(plain.log_url).status_code != 200
        asyncio.run(call_tool(guarded.url, {}, "echo", {"text": "x"}))
        assert httpx.get(guarded.log_url).status_code == 401
        assert httpx.get(guarded.log_url, headers={"Authorization": "Bearer t0ke"}).status_code == 401
        assert httpx.post(guarded.log_url, headers={"Authorization": "Bearer t0ken"}).status_code == 405
        served = httpx.get(guarded.log_url, headers={"Authorization": "Bearer t0ken"}).json()
        assert served["format"] == LOG_FORMAT and served["calls"] == guarded.log.calls()
        assert len(served["requests"]) == len(guarded.headers_seen) > 0  # the log's own requests are not in it
    finally:
        plain.stop()
        guarded.stop()


def test_the_suite_reads_the_log_over_http_as_in_process():
    handle = start_mcp_server(log_token="t0ken")
    try:
        asyncio.run(call_tool(handle.url, {}, "echo", {"text": "remote"}))
        remote = RemoteMcpLog(handle.url, "t0ken")
        assert remote.url == handle.log_url
        assert remote.calls() == handle.log.calls() and remote.requests() == handle.log.requests()
        with pytest.raises(HarnessError, match="answered HTTP 401"):
            RemoteMcpLog(handle.url, "wrong").calls()
    finally:
        handle.stop()


@pytest.mark.parametrize(("mcp_url", "log"), [
    ("http://127.0.0.1:8123/mcp", "http://127.0.0.1:8123/conformance-log"),
    ("https://tunnel.example/abc/mcp/", "https://tunnel.example/abc/conformance-log"),
    ("https://tunnel.example/abc/mcp?x=1", "https://tunnel.example/abc/conformance-log"),
])
def test_the_log_is_beside_the_mcp_endpoint(mcp_url, log):
    assert log_url(mcp_url) == log


def test_the_server_and_the_suite_agree_on_where_and_what_the_log_is():
    from conformance.reference import mcp_server
    from conformance.run import mcp_log

    assert (mcp_server.LOG_PATH, mcp_server.LOG_FORMAT) == (mcp_log.LOG_PATH, mcp_log.LOG_FORMAT)
