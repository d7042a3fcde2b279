"""Serving an ASGI app with uvicorn on a socket we bind ourselves: in a daemon thread, or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Literal

import uvicorn
from starlette.types import ASGIApp

START_TIMEOUT = 10.0
Lifespan = Literal["auto", "on", "off"]


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one); connections made at once wait in the backlog."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def server_for(app: ASGIApp, lifespan: Lifespan = "on") -> uvicorn.Server:
    """A quiet uvicorn server; ``lifespan="auto"`` for apps that may not speak the lifespan protocol."""
    return uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan=lifespan, timeout_graceful_shutdown=1, backlog=2048)
    )


def serve_in_thread(app: ASGIApp, host: str, port: int, name: str) -> tuple[str, uvicorn.Server, threading.Thread]:
    """Start serving in a daemon thread; return the base URL once connections are accepted."""
    sock = bind(host, port)
    server = server_for(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the {name} on {host}:{port} did not start")
        time.sleep(0.005)
    return base_url(sock), server, thread


def serve_in_foreground(
    app: ASGIApp, host: str, port: int, announce: Callable[[str], None], lifespan: Lifespan = "on"
) -> None:
    """Serve until interrupted; ``announce`` gets the base URL once the socket listens."""
    sock = bind(host, port)
    announce(base_url(sock))
    server_for(app, lifespan).run(sockets=[sock])
