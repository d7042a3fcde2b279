"""Planted secrets never reach any output of ``run --mode record``: cassettes, report files, logs, terminal."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from conformance.cassettes._scrub import RESOURCE_PLACEHOLDER, Scrubber
from conformance.cassettes._transport import CassetteTransport
from conformance.cli import app
from conformance.client import Secrets
from conformance.reference.config import ServerConfig
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server

API_KEY = "sk-PLANTED-api-key-7f3a9c"
MCP_TOKEN = "Bearer PLANTED-mcp-token-51ce"
ENTRA = "eyJ0eXAiOiJKV1QiPLANTED.entra.token"
SAS = "sv=2024-01-01&se=2030-01-01&sp=r&sig=PLANTEDsasSIGNATURE%3D"
QUERY_KEY = "PLANTED-query-key-0c1d"
ONLY = ["lifecycle.create.*", "streaming.text.*", "mcp.headers.*", "mcp.require_approval.*", "errors.auth.*"]


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


def test_record_writes_no_planted_secret_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mcp = start_mcp_server(require_header=("Authorization", MCP_TOKEN))
    azure = start_server(ServerConfig(flavor="azure", api_key=API_KEY, think_time=0.1))
    openai = start_server(ServerConfig(flavor="openai", api_key=API_KEY, think_time=0.1))
    monkeypatch.setenv("RC_T_KEY", API_KEY)
    monkeypatch.setenv("RC_T_MCP", MCP_TOKEN)
    matrix = tmp_path / "matrix.toml"
    matrix.write_text(
        f"""
[defaults]
provider = "reference"
model = "o4-mini"
secret_env = "RC_T_KEY"
mcp_url = "{mcp.url}"
mcp_headers_env = {{ Authorization = "RC_T_MCP" }}

[[cells]]
region = "swedencentral"
deployment = "prod/o4 mini"
endpoint = "{azure.url}"
api_style = "azure-v1"
auth = "api-key"
profile = "azure"

[[cells]]
region = "local"
endpoint = "{openai.url}/v1"
api_style = "openai"
auth = "bearer"
""",
        encoding="utf-8",
    )
    try:
        result = CliRunner().invoke(app, [
            "run", "--mode", "record", "--config", str(matrix), "--cassettes", str(tmp_path / "cass"),
            "--out", str(tmp_path / "out"), *[arg for glob in ONLY for arg in ("--only", glob)],
        ])
    finally:
        azure.stop(), openai.stop(), mcp.stop()
    assert result.exit_code == 0, result.output
    cassettes = _all_text(tmp_path / "cass")
    assert "mcp_call" in cassettes and "<redacted>" in cassettes  # MCP tools with headers were recorded
    assert (tmp_path / "cass" / "swedencentral" / "prod_o4_mini").is_dir()  # a safe file name
    outputs = {
        "cassettes": cassettes, "report": _all_text(tmp_path / "out"), "terminal": result.output + result.stderr,
        "logs": "\n".join(record.getMessage() for record in caplog.records),
    }
    for secret in (API_KEY, MCP_TOKEN, MCP_TOKEN.split()[1]):
        assert [name for name, text in outputs.items() if secret in text] == []
    hosts = [azure.url.split("//")[1], openai.url.split("//")[1], mcp.url.split("//")[1].split("/")[0]]
    assert [host for host in hosts if host in cassettes] == []


def test_entra_tokens_sas_and_query_keys_never_reach_a_cassette(tmp_path: Path) -> None:
    host = "https://my-resource.openai.azure.com"

    def echo(request: httpx.Request) -> httpx.Response:  # a server that repeats every secret it got
        seen = f"{request.url} {request.headers.get('authorization')} {request.content.decode()}"
        if request.url.path.endswith("/stream"):
            return httpx.Response(200, headers={"content-type": "text/event-stream", "x-echo": ENTRA},
                                  content=f'data: {{"seen": "{seen}"}}\n\n'.encode())
        return httpx.Response(200, headers={"set-cookie": ENTRA}, json={
            "seen": seen, "download": f"{host}/blob?{SAS}", "tools": [{"type": "mcp", "headers": {"X-Key": QUERY_KEY}}],
        })

    secrets = Secrets([ENTRA, QUERY_KEY])
    transport = CassetteTransport("record", tmp_path, Scrubber(secrets, {host: RESOURCE_PLACEHOLDER}), httpx.MockTransport(echo))
    body = {"tools": [{"type": "mcp", "server_url": "https://mcp.example/mcp", "headers": {"X-Key": QUERY_KEY}}]}
    with transport.use("planted"), httpx.Client(transport=transport) as client:
        for path in ("/openai/v1/responses", "/openai/v1/stream"):
            answer = client.post(f"{host}{path}?api-key={QUERY_KEY}&{SAS}", json=body, headers={"Authorization": f"Bearer {ENTRA}"})
            assert ENTRA in answer.text  # the client still sees what the server said
    written = (tmp_path / "planted.yaml").read_text(encoding="utf-8")
    assert written.count("<redacted>") >= 4
    for secret in (ENTRA, QUERY_KEY, "PLANTEDsasSIGNATURE", "my-resource.openai.azure.com"):
        assert secret not in written
