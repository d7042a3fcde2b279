"""A small local MCP server (streamable HTTP, loopback) with deterministic tools, for tests and ``run``."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import uvicorn
from mcp.server.mcpserver import MCPServer
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.reference._uvicorn import serve_in_thread

_START_TIMEOUT = 5.0


def _echo(text: str) -> str:
    """Return the text unchanged."""
    return text


def _add(a: int, b: int) -> int:
    """Return the sum of two integers."""
    return a + b


@dataclass
class McpServerHandle:
    """A running server: its URL, the headers of every HTTP request it got (lower-case names), ``stop()``."""

    url: str
    headers_seen: list[dict[str, str]]
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=_START_TIMEOUT)


def start_mcp_server(
    host: str = "127.0.0.1", port: int = 0, require_header: tuple[str, str] | None = None
) -> McpServerHandle:
    """Serve the tools ``echo`` and ``add`` at ``http://host:port/mcp`` in a background thread.

    Port 0 picks a free port. With ``require_header=(name, value)`` a request without that header
    value gets a 401. Returns once the server accepts connections.
    """
    mcp = MCPServer("responses-conformance-reference", log_level="WARNING")
    mcp.add_tool(_echo, name="echo")
    mcp.add_tool(_add, name="add")
    headers_seen: list[dict[str, str]] = []
    app = _Guard(mcp.streamable_http_app(stateless_http=True, host=host), headers_seen, require_header)
    url, server, thread = serve_in_thread(app, host, port, "MCP server")
    return McpServerHandle(f"{url}/mcp", headers_seen, server, thread)


class _Guard:
    """Records each request's headers and answers 401 when the required header is missing or wrong."""

    def __init__(self, app: ASGIApp, seen: list[dict[str, str]], required: tuple[str, str] | None) -> None:
        self._app = app
        self._seen = seen
        self._required = None if required is None else (required[0].lower(), required[1])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
            self._seen.append(headers)
            if self._required is not None and headers.get(self._required[0]) != self._required[1]:
                body = {"error": f"missing or wrong {self._required[0]} header"}
                await JSONResponse(body, status_code=401)(scope, receive, send)
                return
        await self._app(scope, receive, send)
