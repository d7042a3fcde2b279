"""The reference server in a child process: it starts with its config, answers, stops, and never outlives us."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from conformance.reference.config import ServerConfig
from conformance.reference.faults import parse_fault
from conformance.reference.server import start_server_process, start_server_processes

KEY = "sk-process-key-4242"
GONE_WAIT_S = 30.0  # how long a child may take to notice that its parent died (it takes well under a second)


def _gone(pid: int) -> bool:
    """The process has exited (absent, or a zombie nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + GONE_WAIT_S
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _gone(pid)


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")


def test_a_process_server_answers_with_its_config_and_stops():
    config = ServerConfig(flavor="azure", api_key=KEY, think_time=0.1,
                          faults=[parse_fault("rate-limit=every:2,retry-after=7")], violations=())
    with start_server_process(config) as server:
        assert server.pid != os.getpid() and server.config is config
        url = f"{server.url}/openai/v1/responses"
        headers, body = {"api-key": KEY}, {"model": "o4-mini", "input": "Say hi."}
        first = httpx.post(url, params={"api-version": "preview"}, headers=headers, json=body)
        second = httpx.post(url, params={"api-version": "preview"}, headers=headers, json=body)
        wrong = httpx.get(f"{server.url}/openai/v1/responses/resp_x", params={"api-version": "preview"},
                          headers={"api-key": "wrong"})
        assert first.status_code == 200 and first.json()["object"] == "response"
        assert second.status_code == 429 and second.headers["retry-after"] == "7"  # its faults came along
        assert wrong.status_code == 401
    assert server._process.returncode is not None  # stopped and reaped
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url, timeout=2)


def test_servers_started_together_get_their_own_ports_and_state():
    servers = start_server_processes([ServerConfig(api_key=KEY), ServerConfig(flavor="azure", api_key=KEY)])
    try:
        assert len({s.url for s in servers}) == 2 and len({s.pid for s in servers}) == 2
        created = httpx.post(f"{servers[0].url}/v1/responses", headers={"Authorization": f"Bearer {KEY}"},
                             json={"model": "o4-mini", "input": "Say hi.", "store": True}).json()
        there = httpx.get(f"{servers[0].url}/v1/responses/{created['id']}", headers={"Authorization": f"Bearer {KEY}"})
        elsewhere = httpx.get(f"{servers[1].url}/openai/v1/responses/{created['id']}",
                              params={"api-version": "preview"}, headers={"api-key": KEY})
        assert there.status_code == 200 and elsewhere.status_code == 404  # one SQLite database per server
    finally:
        for server in servers:
            server.stop(wait=False)
        for server in servers:
            server.stop()
    assert all(server._process.returncode is not None for server in servers)


def test_a_server_that_cannot_start_is_an_error_and_leaves_no_process():
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    before = set(_children())
    try:
        with pytest.raises(RuntimeError, match="did not start"):
            start_server_process(ServerConfig(api_key=KEY), port=port)
    finally:
        taken.close()
    assert [pid for pid in _children() if pid not in before and not _gone(pid)] == []


@needs_proc
def test_the_child_dies_with_its_parent_even_when_the_parent_is_killed():
    script = textwrap.dedent(
        """
        import sys, time
        from conformance.reference.config import ServerConfig
        from conformance.reference.server import start_server_process
        server = start_server_process(ServerConfig(api_key="k"))
        print(server.pid, server.url, flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        pid_text, url = parent.stdout.readline().split()
        child = int(pid_text)
        assert httpx.get(f"{url}/v1/responses/resp_x", headers={"Authorization": "Bearer k"}).status_code == 404
        parent.send_signal(signal.SIGKILL)  # no cleanup code runs in the parent
        parent.wait(timeout=30)
        assert _wait_gone(child), f"the server process {child} outlived its killed parent"
    finally:
        parent.kill()
        parent.wait()


def _children() -> list[int]:
    """Our child processes (Linux), or an empty list elsewhere."""
    try:
        text = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]
