"""``responses-conformance mcp-server`` for an external target: ``run --endpoint ... --mcp-url ... --mcp-log-token``
judges the MCP checks (none skipped) and verifies every mcp_call against that server's log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from conformance.checks.test_mcp import UNVERIFIED
from conformance.cli import app
from conformance.reference.config import ServerConfig
from conformance.reference.server import ServerHandle, start_server

KEY = "mcp-cli-test-key"
LOG_TOKEN = "mcplog-cli-test-token"
CHECKS = {
    "mcp.approval.requested_by_default", "mcp.approval.approve_calls", "mcp.approval.deny_no_call",
    "mcp.require_approval.never_calls", "mcp.headers.forwarded", "mcp.headers.not_echoed",
    "mcp.approval.second_in_chain",
}


@pytest.fixture(scope="module")
def mcp_server() -> Iterator[str]:
    """``responses-conformance mcp-server`` in a child process on loopback: its MCP URL."""
    command = [sys.executable, "-m", "conformance.cli", "mcp-server", "--port", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={"RC_MCP_LOG_TOKEN": LOG_TOKEN, "PATH": ""})
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+/mcp)$", lines[0].strip())
        assert url, lines
        assert lines[2].strip() == f"log token: {LOG_TOKEN}"
        assert lines[3].strip() == f"run with: --mcp-url {url.group(1)} --mcp-log-token {LOG_TOKEN}"
        yield url.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def targets() -> Iterator[dict[str, ServerHandle]]:
    """Reference servers on loopback: faithful, and one reporting an mcp_call it never made."""
    handles = {
        name: start_server(ServerConfig(api_key=KEY, think_time=0.25, violations=violations))
        for name, violations in (("faithful", ()), ("fabricated", ("mcp-call-fabricated",)))
    }
    yield handles
    for handle in handles.values():
        handle.stop()


def _run(target: ServerHandle, out: Path, *extra: str, only: str = "mcp.*") -> tuple[int, str, dict[str, tuple[str, str]]]:
    result = CliRunner().invoke(app, [
        "run", "--endpoint", f"{target.url}/v1", "--api-style", "openai", "--model", "o4-mini", "--bearer", KEY,
        "--only", only, "--out", str(out), *extra,
    ])
    if not (out / "report.json").exists():
        return result.exit_code, result.output, {}
    report = json.loads((out / "report.json").read_text())
    got = {r["check"]: (r["verdict"], r["reason"]) for cell in report["cells"] for r in cell["results"]}
    return result.exit_code, result.output, got


def test_through_an_endpoint_the_mcp_checks_pass_on_the_servers_log(
    mcp_server: str, targets: dict[str, ServerHandle], tmp_path: Path
) -> None:
    code, output, got = _run(targets["faithful"], tmp_path, "--mcp-url", mcp_server, "--mcp-log-token", LOG_TOKEN)
    assert got == dict.fromkeys(CHECKS, ("passed", "")) and code == 0, output
    assert LOG_TOKEN not in output and LOG_TOKEN not in (tmp_path / "report.json").read_text()
    log = httpx.get(mcp_server.removesuffix("/mcp") + "/conformance-log", headers={"Authorization": f"Bearer {LOG_TOKEN}"})
    assert {c["tool"] for c in log.json()["calls"]} == {"echo"}


def test_a_target_reporting_a_call_it_never_made_fails(
    mcp_server: str, targets: dict[str, ServerHandle], tmp_path: Path
) -> None:
    code, output, got = _run(targets["fabricated"], tmp_path, "--mcp-url", mcp_server, "--mcp-log-token", LOG_TOKEN)
    assert got["mcp.require_approval.never_calls"][0] == "failed" and code == 1, output
    assert "the MCP server got 0 tools/call" in got["mcp.require_approval.never_calls"][1]


def test_without_the_log_token_the_checks_pass_on_the_targets_report_and_say_so(
    mcp_server: str, targets: dict[str, ServerHandle], tmp_path: Path
) -> None:
    _, output, got = _run(targets["fabricated"], tmp_path, "--mcp-url", mcp_server, only="mcp.require_approval.*")
    assert got == {"mcp.require_approval.never_calls": ("passed", UNVERIFIED)}, output


def test_a_wrong_log_token_stops_the_run_with_one_line(
    mcp_server: str, targets: dict[str, ServerHandle], tmp_path: Path
) -> None:
    code, output, _ = _run(targets["faithful"], tmp_path, "--mcp-url", mcp_server, "--mcp-log-token", "wrong")
    assert code == 2 and "--mcp-log-token" in output and "answered HTTP 401" in output, output
    assert not (tmp_path / "report.json").exists()


def test_the_log_is_refused_without_its_token(mcp_server: str) -> None:
    log = mcp_server.removesuffix("/mcp") + "/conformance-log"
    assert httpx.get(log).status_code == 401
    assert httpx.get(log, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_public_url_that_is_not_http_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["mcp-server", "--public-url", "ftp://x/mcp"])
    assert result.exit_code == 2 and "not an http(s) URL" in result.output
