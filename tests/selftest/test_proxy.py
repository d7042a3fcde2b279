"""An outside proxy (``serve --proxy-to URL --violate NAME``) in front of a faithful server: ``run`` catches it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.reference.config import ServerConfig
from conformance.reference.server import ServerHandle, start_server

KEY = "proxy-test-key"
CHECK = "streaming.text.conforms"


@pytest.fixture(scope="module")
def upstream() -> Iterator[ServerHandle]:
    """A faithful reference server on loopback."""
    handle = start_server(ServerConfig(api_key=KEY, think_time=0.25))
    yield handle
    handle.stop()


def _proxy(upstream: str, violations: list[str]) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--proxy-to", upstream]
    for name in violations:
        command += ["--violate", name]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", proc.stdout.readline())
    assert found, "the proxy did not announce its URL"
    return proc, found.group(1)


@pytest.mark.parametrize(("violations", "verdict", "code"), [([], "passed", 0), (["stream-sequence-starts-at-1"], "failed", 1)])
def test_run_through_a_proxy_judges_what_the_proxy_does(
    upstream: ServerHandle, tmp_path: Path, violations: list[str], verdict: str, code: int
) -> None:
    proc, url = _proxy(upstream.url, violations)
    try:
        result = CliRunner().invoke(app, [
            "run", "--endpoint", f"{url}/v1", "--api-style", "openai", "--model", "o4-mini", "--bearer", KEY,
            "--only", CHECK, "--out", str(tmp_path),
        ])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report = json.loads((tmp_path / "report.json").read_text())
    got = {r["check"]: r["verdict"] for cell in report["cells"] for r in cell["results"]}
    assert got == {CHECK: verdict} and result.exit_code == code, result.output
    assert KEY not in result.output


def test_serve_refuses_a_proxy_target_that_is_not_a_url() -> None:
    result = CliRunner().invoke(app, ["serve", "--proxy-to", "not a url"])
    assert result.exit_code == 2 and result.output.strip() == "error: --proxy-to not a url: not an http(s) URL"
