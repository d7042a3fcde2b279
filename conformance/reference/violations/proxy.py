"""A forwarding proxy that commits violations on the way back: a buggy gateway in front of any server."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.reference.violations._base import ViolatingMiddleware

_HOP = {"host", "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "upgrade"}


class _Forward:
    """ASGI app that sends every HTTP request on to ``upstream`` with httpx and answers with its response."""

    def __init__(self, upstream: str, timeout: float) -> None:
        self.upstream = upstream.rstrip("/")
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        url = self.upstream + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = [(k, v) for k, v in request.headers.items() if k not in _HOP]
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            answer = await client.request(request.method, url, headers=headers, content=await request.body())
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        await Response(answer.content, answer.status_code, kept)(scope, receive, send)


def proxy_app(upstream: str, violations: list[str], timeout: float = 120.0) -> ASGIApp:
    """A proxy to ``upstream`` (a base URL, no path) that commits ``violations``; unknown names raise ValueError."""
    return ViolatingMiddleware(_Forward(upstream, timeout), violations)


def serve_proxy(app: ASGIApp, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve the proxy in the foreground until interrupted; ``announce`` gets its base URL once bound."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # connections made right after the announcement wait in the backlog
    bound_host, bound_port = sock.getsockname()[:2]
    announce(f"http://{bound_host}:{bound_port}")
    uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)).run(sockets=[sock])
