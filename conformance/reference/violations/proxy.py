"""A forwarding proxy in front of any server: it commits violations (a buggy gateway) or shows legal
variations."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.reference._uvicorn import serve_in_foreground
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


def proxy_app(
    upstream: str, violations: list[str], variations: list[str] | None = None, timeout: float = 120.0
) -> ASGIApp:
    """A proxy to ``upstream`` (a base URL, no path) that commits ``violations`` and shows the legal
    ``variations`` around them; unknown names raise ValueError."""
    app: ASGIApp = ViolatingMiddleware(_Forward(upstream, timeout), violations)
    if variations:
        from conformance.reference.variations import VaryingMiddleware

        app = VaryingMiddleware(app, variations)
    return app


def serve_proxy(app: ASGIApp, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve the proxy in the foreground until interrupted; ``announce`` gets its base URL once bound."""
    serve_in_foreground(app, host, port, announce, lifespan="auto")
