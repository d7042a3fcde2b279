"""``responses-conformance serve`` prints its URL and key and answers over loopback."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
from typer.testing import CliRunner

from conformance.cli import app


def test_serve_prints_url_and_key_and_serves() -> None:
    command = [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--db", ":memory:", "--flavor", "azure"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={"RC_API_KEY": "cli-key", "PATH": ""})
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0])
        assert url and "API key: cli-key" in lines[2]
        response = httpx.post(
            url.group(1) + "/openai/v1/responses", json={"model": "gpt-4o", "input": "Say up"}, headers={"api-key": "cli-key"}
        )
        assert response.status_code == 200 and "content_filters" in response.json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_rejects_a_bad_fault_spec() -> None:
    result = CliRunner().invoke(app, ["serve", "--fault", "explode=1", "--db", ":memory:"])
    assert result.exit_code == 2 and "fault" in result.output
