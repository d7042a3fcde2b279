"""The shipped cassettes (cassettes/reference, recorded by .ci/record_cassettes.py) replay the whole suite offline.

The fuzz.* checks are not in them: hypothesis generates other requests in another process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from casskit import block_sockets, run_with_cassettes, verdicts

from conformance.checks import info_of
from conformance.run.embedded import reference_replay_cells
from conformance.run.runner import load_checks

SHIPPED = Path(__file__).resolve().parents[2] / "cassettes" / "reference"


@pytest.mark.cassettes
def test_the_whole_suite_replays_from_the_shipped_cassettes_with_the_recorded_verdicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = json.loads((SHIPPED / "verdicts.json").read_text(encoding="utf-8"))
    attempts = block_sockets(monkeypatch)
    checks = [f for f in load_checks() if not info_of(f).id.startswith("fuzz.")]  # type: ignore[union-attr]
    report, errors = run_with_cassettes("replay", SHIPPED, reference_replay_cells(), checks=checks, jobs=2)
    assert errors == [] and attempts == []
    assert verdicts(report) == list(expected.values())
    assert sum(len(cell) for cell in verdicts(report)) == len(checks) * 2 and not report.cleanup_failures
