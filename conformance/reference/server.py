"""Running the reference server with uvicorn: in a background thread (tests, ``run``) or in the foreground."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import uvicorn

from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig

_START_TIMEOUT = 10.0


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
        self._thread.join(timeout=_START_TIMEOUT)


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _server(config: ServerConfig) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            create_app(config), log_level="warning", lifespan="on", timeout_graceful_shutdown=1, backlog=2048
        )
    )


def start_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Serve in a daemon thread; returns once connections are accepted (port 0 picks a free port)."""
    sock = _bind(host, port)
    server = _server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="reference-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError(f"the reference server on {host}:{port} did not start")
        time.sleep(0.005)
    bound_host, bound_port = sock.getsockname()[:2]
    return ServerHandle(f"http://{bound_host}:{bound_port}", config, server, thread)


def serve_forever(config: ServerConfig, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve in the foreground until interrupted; ``announce`` gets the base URL once listening."""
    sock = _bind(host, port)
    sock.listen(2048)  # connections made right after the announcement wait in the backlog
    bound_host, bound_port = sock.getsockname()[:2]
    announce(f"http://{bound_host}:{bound_port}")
    _server(config).run(sockets=[sock])
