"""Running the reference server with uvicorn: in a background thread (tests), in a child process (``run``,
``selftest``: the server gets its own interpreter and GIL) or in the foreground."""

from __future__ import annotations

import dataclasses
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson
import uvicorn

from conformance.reference._uvicorn import START_TIMEOUT, serve_in_foreground, serve_in_thread
from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.reference.faults import Fault

PROCESS_START_TIMEOUT = 60.0  # a child imports the app first: slow on a busy machine
_SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding the conformance package


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


@dataclass
class ServerProcess:
    """A server running in a child process: its base URL, config, ``pid`` and ``stop()`` (also on ``with`` exit).

    The child stops when its stdin closes: on ``stop()``, and when this process dies, however it dies.
    """

    url: str
    config: ServerConfig
    _process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self._process.pid

    def stop(self, wait: bool = True) -> None:
        """Tell the child to stop (close its stdin); with ``wait``, wait for it, terminating then killing it if
        it hangs. ``stop(wait=False)`` on several servers, then ``stop()`` on each, stops them together."""
        _close(self._process)
        if wait:
            _end(self._process)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_server_process(config: ServerConfig, host: str = "127.0.0.1", port: int = 0) -> ServerProcess:
    """Serve in a child process (``python -m conformance.reference._child``); returns once it accepts connections.

    The config (its API key included) goes through the child's stdin, never its command line; the child runs
    in its own session, so a Ctrl-C in the terminal reaches the suite only, which still cleans up through it.
    """
    return _started(_spawn(config, host, port), config, host, port)


def start_server_processes(configs: Sequence[ServerConfig], host: str = "127.0.0.1") -> list[ServerProcess]:
    """Start one server process per config, all at once, on free ports; returns once every one accepts connections."""
    spawned = [_spawn(config, host, 0) for config in configs]
    started: list[ServerProcess] = []
    try:
        for process, config in zip(spawned, configs, strict=True):
            started.append(_started(process, config, host, 0))
    except BaseException:
        for process in spawned:
            _end(process)
        raise
    return started


def config_dict(config: ServerConfig) -> dict[str, Any]:
    """The config as JSON-ready data (``config_from_dict`` reads it back)."""
    return dataclasses.asdict(config)


def config_from_dict(data: dict[str, Any]) -> ServerConfig:
    """The config that ``config_dict`` wrote."""
    faults = [Fault(**fault) for fault in data.get("faults", [])]
    lists = {name: tuple(data.get(name, ())) for name in ("violations", "variations")}
    return ServerConfig(**{**data, "faults": faults, **lists})


def _spawn(config: ServerConfig, host: str, port: int) -> subprocess.Popen[bytes]:
    """The child process, given its config; it has not necessarily started serving yet."""
    path = os.pathsep.join(p for p in (str(_SOURCE_ROOT), os.environ.get("PYTHONPATH")) if p)
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.reference._child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path}, start_new_session=True,
    )
    assert process.stdin is not None
    try:
        process.stdin.write(orjson.dumps({"config": config_dict(config), "host": host, "port": port}) + b"\n")
        process.stdin.flush()
    except BaseException:
        _end(process)
        raise
    return process


def _started(process: subprocess.Popen[bytes], config: ServerConfig, host: str, port: int) -> ServerProcess:
    """Wait for the child's URL line; stop it and raise RuntimeError when it does not come."""
    assert process.stdout is not None
    try:
        url = _first_line(process.stdout, PROCESS_START_TIMEOUT).decode("utf-8", "replace").strip()
    except BaseException:
        _end(process)
        raise
    finally:
        process.stdout.close()
    if not url.startswith("http://"):
        _end(process)
        raise RuntimeError(f"the reference server process on {host}:{port} did not start (exit {process.returncode})")
    return ServerProcess(url, config, process)


def _first_line(stream: IO[bytes], timeout: float) -> bytes:
    """The first line the child prints, or b"" when it exits or says nothing in ``timeout`` seconds."""
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), name="server-process-start", daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return b""


def _close(process: subprocess.Popen[bytes]) -> None:
    """Close the child's stdin: its signal to stop."""
    if process.stdin is not None and not process.stdin.closed:
        try:
            process.stdin.close()
        except OSError:  # the child is already gone
            pass


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop the child and reap it: stdin closed, then SIGTERM, then SIGKILL, each after a bounded wait."""
    _close(process)
    for escalate in (process.terminate, process.kill):
        try:
            process.wait(timeout=START_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            escalate()
    process.wait()
