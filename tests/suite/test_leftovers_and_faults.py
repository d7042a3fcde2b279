"""A run leaves nothing behind on the target (also when interrupted), and resilience faults never crash it."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from conformance.checks import Tier
from conformance.matrix import target_cell
from conformance.reference.config import ServerConfig
from conformance.reference.faults import parse_fault
from conformance.reference.server import ServerHandle, start_server
from conformance.report.model import Verdict
from conformance.run.runner import run_suite

MODEL = "o4-mini"
# What a run creates: responses (and their stored input items and events), files, background jobs.
TABLES = ("responses", "input_items", "events", "files", "jobs")


def _server(tmp_path: Path, **config: object) -> ServerHandle:
    return start_server(ServerConfig(flavor="openai", db=str(tmp_path / "reference.db"), think_time=0.3, **config))  # type: ignore[arg-type]


def _rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return {table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in TABLES}


def _cell(server: ServerHandle):
    return target_cell(endpoint=f"{server.url}/v1", api_style="openai", model=MODEL, bearer=server.config.api_key)


def test_a_run_leaves_no_response_file_or_job_on_the_target(tmp_path):
    server = _server(tmp_path)
    try:
        report = run_suite([_cell(server)], tier=Tier.core, jobs=1)
    finally:
        server.stop()
    verdicts = {r.verdict for c in report.cells for r in c.results}
    assert Verdict.passed in verdicts and report.cleanup_failures == []
    assert _rows(tmp_path / "reference.db") == dict.fromkeys(TABLES, 0)


def test_an_interrupted_run_also_leaves_nothing_behind(tmp_path):
    server = _server(tmp_path)
    out = tmp_path / "out"
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "conformance.cli", "run", "--endpoint", f"{server.url}/v1", "--api-style", "openai",
             "--model", MODEL, "--bearer", server.config.api_key, "--out", str(out), "--jobs", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 60
        while _rows(tmp_path / "reference.db")["responses"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # interrupt once the run has created something
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        server.stop()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    document = orjson.loads((out / "report.json").read_bytes())
    assert document["partial"] is True
    assert _rows(tmp_path / "reference.db") == dict.fromkeys(TABLES, 0)


@pytest.mark.parametrize(
    ("fault", "allowed"),
    [
        ("rate-limit=every:3,retry-after=0", {Verdict.passed}),  # retried, then passed
        ("server-error=every:4", {Verdict.passed}),  # a 503 is retried too
        ("latency=20ms", {Verdict.passed}),
        ("drop-stream=every:1,after:3", {Verdict.passed, Verdict.failed}),  # every stream cut: reproducible
    ],
)
def test_resilience_faults_give_retried_passes_or_reproduced_failures_never_a_crash(tmp_path, fault, allowed):
    server = _server(tmp_path, faults=[parse_fault(fault)])
    try:  # every:N counts the server's requests: one after another, a retry never meets the fault again
        report = run_suite([_cell(server)], tier=Tier.smoke, jobs=1, concurrency=1)
    finally:
        server.stop()
    results = [r for c in report.cells for r in c.results]
    assert results
    unexpected = [(r.check, r.verdict.value, r.reason) for r in results
                  if r.verdict not in allowed | {Verdict.not_applicable}]
    assert unexpected == []
    if fault.startswith(("rate-limit", "server-error")):
        assert any(r.attempts > r.requests for r in results), "the retried attempts are recorded"
    if fault.startswith("drop-stream"):  # a cut every time is the target's fault: failed, retried once first
        cut = [r for r in results if r.verdict is Verdict.failed]
        assert cut and all(r.reason.startswith("transport broken, reproduced on retry") for r in cut), cut
