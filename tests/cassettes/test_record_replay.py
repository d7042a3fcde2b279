"""Record against the reference servers, stop them, replay offline: the same verdicts, and no socket opened."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from casskit import block_sockets, run_with_cassettes, verdicts

from conformance.cassettes import cell_folders
from conformance.cassettes._scrub import RESOURCE_PLACEHOLDER, Scrubber
from conformance.cassettes._transport import CassetteTransport
from conformance.client import Secrets
from conformance.contract.sse import parse_sse
from conformance.contract.stream import check_stream
from conformance.contract.validate import ContractValidator
from conformance.reference.config import ServerConfig
from conformance.reference.server import start_server
from conformance.run.embedded import embedded_targets, reference_replay_cells

SHIPPED = Path(__file__).resolve().parents[2] / "cassettes" / "reference" / "local"
CHAINS = ["chaining.*", "streaming.*", "resume.*", "background.*", "mcp.*", "lifecycle.*", "errors.*"]


def test_replay_gives_the_recorded_verdicts_without_any_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with embedded_targets(think_time=0.2) as embedded:
        recorded, errors = run_with_cassettes(
            "record", tmp_path, embedded.cells, CHAINS, mcp_seen={embedded.mcp_url: embedded.mcp_seen}
        )
    assert not errors
    attempts = block_sockets(monkeypatch)
    replayed, errors = run_with_cassettes("replay", tmp_path, reference_replay_cells(), CHAINS)
    assert not errors and attempts == []
    assert sum(len(v) for v in verdicts(recorded)) > 80
    assert verdicts(replayed) == verdicts(recorded)
    assert {c.identity["mode"] for c in replayed.cells} == {"replay"}
    assert replayed.mode == "replay" and not replayed.cleanup_failures


def test_a_request_without_a_recorded_answer_fails_the_check_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell = reference_replay_cells()[1]
    folder = tmp_path / cell_folders([cell])[cell.id]
    folder.mkdir(parents=True)
    shutil.copy(SHIPPED / "o4-mini@openai" / "streaming.text.conforms.yaml", folder / "lifecycle.create.returns_response.yaml")
    attempts = block_sockets(monkeypatch)
    report, _ = run_with_cassettes("replay", tmp_path, [cell], ["lifecycle.create.*", "lifecycle.retrieve.*"])
    results = {r.check: r for r in report.cells[0].results}
    answered = results["lifecycle.create.returns_response"]  # its cassette holds another check's requests
    assert answered.verdict.value == "error" and answered.reason.startswith("no recorded answer for POST https://resource.invalid/v1/responses in ")
    missing = results["lifecycle.retrieve.equals_create"]  # no cassette at all: the run was not given it
    assert missing.verdict.value == "skipped" and missing.reason.startswith("not recorded: no cassette ")
    assert attempts == []


def test_a_replayed_stream_feeds_the_grammar_exactly_as_the_live_one(tmp_path: Path) -> None:
    handle = start_server(ServerConfig(flavor="openai", api_key="sk-stream-key-1234", think_time=0.1))
    try:
        body = {"model": "o4-mini", "input": "Count to five.", "stream": True}
        headers = {"authorization": "Bearer sk-stream-key-1234"}
        scrubber = Scrubber(Secrets(["sk-stream-key-1234"]), {handle.url: RESOURCE_PLACEHOLDER})
        recorder = CassetteTransport("record", tmp_path, scrubber)
        with recorder.use("stream"), httpx.Client(transport=recorder) as client:
            live = client.post(f"{handle.url}/v1/responses", json=body, headers=headers).content
    finally:
        handle.stop()
    player = CassetteTransport("replay", tmp_path, scrubber)
    with player.use("stream"), httpx.Client(transport=player) as client:
        replayed = client.post(f"{handle.url}/v1/responses", json=body, headers=headers).content
    validator = ContractValidator("openai")
    live_events, replayed_events = parse_sse(live), parse_sse(replayed)
    assert len(live_events) > 5 and replayed_events == live_events
    assert check_stream(replayed_events, validator) == check_stream(live_events, validator)


def test_cells_sharing_region_and_deployment_get_their_api_style_in_the_folder() -> None:
    folders = cell_folders(reference_replay_cells())
    assert sorted(folders.values()) == ["local/o4-mini@azure-v1", "local/o4-mini@openai"]
