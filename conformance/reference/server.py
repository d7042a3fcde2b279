"""Running the reference server with uvicorn: in a background thread (tests, ``run``) or in the foreground."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn

from conformance.reference._uvicorn import START_TIMEOUT, serve_in_foreground, serve_in_thread
from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig


@dataclass
class ServerHandle:
    """A server running in a thread: its base URL (``http://127.0.0.1:PORT``), config and ``stop()``."""

    url: str
    config: ServerConfig
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        """Stop serving, let background jobs stop, and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT)


def start_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Serve in a daemon thread; returns once connections are accepted (port 0 picks a free port)."""
    url, server, thread = serve_in_thread(create_app(config), host, port, "reference server")
    return ServerHandle(url, config, server, thread)


def serve_forever(config: ServerConfig, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve in the foreground until interrupted; ``announce`` gets the base URL once listening."""
    serve_in_foreground(create_app(config), host, port, announce)
