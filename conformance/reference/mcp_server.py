"""The suite's MCP server (streamable HTTP) with deterministic tools, for tests, ``run`` and ``mcp-server``.

It keeps a **log**: the headers of every HTTP request, and every ``tools/call`` it ran (tool, arguments,
headers, the text it returned). The suite reads it in-process (``handle.log``), or over HTTP at
``LOG_PATH`` beside ``/mcp`` with ``Authorization: Bearer <log token>`` when the server runs in another
process; without a log token that route does not exist.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.reference._uvicorn import serve_in_foreground, serve_in_thread

_START_TIMEOUT = 5.0
LOG_PATH = "/conformance-log"  # beside /mcp
LOG_FORMAT = "responses-conformance-mcp-log/1"


class CallLog:
    """What the server saw, thread-safe: ``requests()`` (headers, lower-case names) and ``calls()``.

    A call is ``{"tool", "arguments", "headers", "output", "is_error"}``: ``output`` is the text the tool
    returned (what an MCP client reads as its text content).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[dict[str, str]] = []
        self._calls: list[dict[str, Any]] = []

    def requests(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._requests)

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    def add_request(self, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append(headers)

    def add_call(self, tool: str, arguments: dict[str, Any], headers: dict[str, str], output: str) -> None:
        call = {"tool": tool, "arguments": arguments, "headers": headers, "output": output, "is_error": False}
        with self._lock:
            self._calls.append(call)

    def as_json(self) -> dict[str, Any]:
        """The log as the HTTP route serves it."""
        with self._lock:
            return {"format": LOG_FORMAT, "requests": list(self._requests), "calls": list(self._calls)}


@dataclass
class McpServerHandle:
    """A running server: its URL, its log (``headers_seen``: the headers of every request), ``stop()``."""

    url: str
    log: CallLog
    log_token: str | None = field(default=None, repr=False)
    _server: uvicorn.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def headers_seen(self) -> list[dict[str, str]]:
        return self.log.requests()

    @property
    def log_url(self) -> str:
        return self.url.removesuffix("/mcp") + LOG_PATH

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=_START_TIMEOUT)


def new_log_token() -> str:
    """A fresh secret for the log route."""
    return "mcplog-" + secrets.token_urlsafe(24)


def mcp_app(
    log: CallLog, host: str, require_header: tuple[str, str] | None = None, log_token: str | None = None
) -> ASGIApp:
    """The ASGI app: the tools ``echo`` and ``add`` at ``/mcp`` (logging every call), the log at ``LOG_PATH``."""
    mcp = MCPServer("responses-conformance-reference", log_level="WARNING")

    def logged(tool: str, arguments: dict[str, Any], ctx: Context, output: str) -> None:
        headers = {str(k).lower(): str(v) for k, v in (ctx.headers or {}).items()}
        log.add_call(tool, arguments, headers, output)

    async def echo(text: str, ctx: Context) -> str:
        """Return the text unchanged."""
        logged("echo", {"text": text}, ctx, text)
        return text

    async def add(a: int, b: int, ctx: Context) -> int:
        """Return the sum of two integers."""
        logged("add", {"a": a, "b": b}, ctx, str(a + b))
        return a + b

    mcp.add_tool(echo, name="echo")
    mcp.add_tool(add, name="add")
    return _Guard(mcp.streamable_http_app(stateless_http=True, host=host), log, require_header, log_token)


def start_mcp_server(
    host: str = "127.0.0.1",
    port: int = 0,
    require_header: tuple[str, str] | None = None,
    log_token: str | None = None,
) -> McpServerHandle:
    """Serve the tools ``echo`` and ``add`` at ``http://host:port/mcp`` in a background thread.

    Port 0 picks a free port. With ``require_header=(name, value)`` a request without that header
    value gets a 401. With ``log_token`` the log is also served at ``LOG_PATH``. Returns once the server
    accepts connections.
    """
    log = CallLog()
    app = mcp_app(log, host, require_header, log_token)
    url, server, thread = serve_in_thread(app, host, port, "MCP server")
    return McpServerHandle(f"{url}/mcp", log, log_token, server, thread)


def serve_mcp_forever(
    host: str, port: int, log_token: str, announce: Callable[[str], None], require_header: tuple[str, str] | None = None
) -> None:
    """Serve in the foreground until interrupted; ``announce`` gets the MCP URL once listening."""
    app = mcp_app(CallLog(), host, require_header, log_token)
    serve_in_foreground(app, host, port, lambda base: announce(f"{base}/mcp"))



class _Guard:
    """Records each MCP request's headers, answers 401 when the required header is missing or wrong, and
    serves the log (``GET LOG_PATH`` with the log token)."""

    def __init__(
        self, app: ASGIApp, log: CallLog, required: tuple[str, str] | None, log_token: str | None
    ) -> None:
        self._app = app
        self._log = log
        self._required = None if required is None else (required[0].lower(), required[1])
        self._log_token = log_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
            if self._log_token is not None and scope["path"].endswith(LOG_PATH):
                await self._serve_log(headers, scope, receive, send)
                return
            self._log.add_request(headers)
            if self._required is not None and headers.get(self._required[0]) != self._required[1]:
                body = {"error": f"missing or wrong {self._required[0]} header"}
                await JSONResponse(body, status_code=401)(scope, receive, send)
                return
        await self._app(scope, receive, send)

    async def _serve_log(self, headers: dict[str, str], scope: Scope, receive: Receive, send: Send) -> None:
        given = headers.get("authorization", "").removeprefix("Bearer ").encode()
        if scope["method"] != "GET":
            answer = JSONResponse({"error": "GET only"}, status_code=405, headers={"allow": "GET"})
        elif not hmac.compare_digest(given, (self._log_token or "").encode()):
            answer = JSONResponse({"error": "missing or wrong log token"}, status_code=401)
        else:
            answer = JSONResponse(self._log.as_json(), headers={"cache-control": "no-store"})
        await answer(scope, receive, send)
