"""``serve --from-cassettes`` answers over a real socket from recordings; ``cassettes verify`` finds contract drift."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import httpx
import uvicorn
import yaml
from typer.testing import CliRunner

from conformance.cassettes.serve import Recordings, create_cassette_app
from conformance.cli import app
from conformance.contract.sse import parse_sse
from conformance.contract.stream import check_stream
from conformance.contract.validate import ContractValidator

SHIPPED = Path(__file__).resolve().parents[2] / "cassettes" / "reference" / "local"


def test_the_cassette_server_answers_recorded_requests_over_a_socket() -> None:
    recordings = Recordings(SHIPPED)
    assert recordings.errors == [] and recordings.count > 300
    server = uvicorn.Server(uvicorn.Config(create_cassette_app(recordings), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        body = {"input": "Say hello.", "model": "o4-mini", "max_output_tokens": 544, "reasoning": {"effort": "low"}}
        answer = httpx.post(f"http://127.0.0.1:{port}/v1/responses", json=body)
        assert answer.status_code == 200 and answer.json()["object"] == "response"
        counting = {"input": "Count from 1 to 200, separated by commas.", "max_output_tokens": 16, "model": "o4-mini",
                    "stream": True}
        streamed = httpx.post(f"http://127.0.0.1:{port}/v1/responses", json=counting)
        assert streamed.headers["content-type"].startswith("text/event-stream")
        missing = httpx.get(f"http://127.0.0.1:{port}/v1/nothing/here")
        assert missing.status_code == 501 and missing.json()["error"]["code"] == "no_recorded_answer"
    finally:
        server.should_exit = True
        thread.join(5)
    events = parse_sse(streamed.content)
    assert events[-1].event == "response.incomplete"
    assert check_stream(events, ContractValidator("openai")).violations == []


def test_verify_passes_the_shipped_cassettes_and_names_a_drifted_one(tmp_path: Path) -> None:
    cli = CliRunner()
    clean = cli.invoke(app, ["cassettes", "verify", str(SHIPPED)])
    assert clean.exit_code == 0, clean.output
    assert clean.output.count(": conforms (") == len(list(SHIPPED.rglob("*.yaml")))
    shutil.copytree(SHIPPED / "o4-mini@openai", tmp_path / "c")
    drifted = tmp_path / "c" / "lifecycle.create.returns_response.yaml"
    data = yaml.safe_load(drifted.read_text(encoding="utf-8"))
    data["interactions"][0]["response"]["body"]["string"] = data["interactions"][0]["response"]["body"]["string"].replace(
        '"status":"completed"', '"status":"finished"', 1
    )
    drifted.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = cli.invoke(app, ["cassettes", "verify", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert f"{drifted}: DRIFT" in result.output and "#0 response: [schema.enum] at /status" in result.output
    (tmp_path / "c" / "broken.yaml").write_text("{", encoding="utf-8")
    broken = cli.invoke(app, ["cassettes", "verify", str(tmp_path / "c")])
    assert broken.exit_code == 2 and f"error: {tmp_path / 'c' / 'broken.yaml'}: not a cassette" in broken.stderr


def test_verify_judges_each_cassette_as_a_session_with_the_exchange_rules(tmp_path: Path) -> None:
    # A store that keeps deleted responses: each answer conforms alone, the session does not.
    source = SHIPPED / "o4-mini@openai" / "lifecycle.delete.then_not_found.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    created, _, after = data["interactions"]
    after["response"] = {**created["response"], "status": {"code": 200, "message": "OK"}}
    survived = tmp_path / "survived.yaml"
    survived.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["cassettes", "verify", str(survived)])
    assert result.exit_code == 1, result.output
    assert "#1 session: [exchange.delete.then_not_found] at /2/status" in result.output
