"""``responses-conformance selftest``: violations caught, a survivor named, the faithful run judged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.reference.violations import VIOLATIONS, violation
from conformance.selftest import FaithfulResult, MutantResult, SelftestResult

CAUGHT = ["bad-api-version-404", "delete-leaves-response-retrievable", "stream-sequence-starts-at-1"]
HARMLESS = "selftest-harmless-rewrite"


def _selftest(tmp_path: Path, *names: str) -> tuple[int, str, dict[str, Any]]:
    args = ["selftest", "--out", str(tmp_path), "--jobs", "4"]
    for name in names:
        args += ["--only", name]
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output, json.loads((tmp_path / "selftest.json").read_text())


def test_selected_violations_are_caught_and_the_faithful_servers_pass(tmp_path: Path) -> None:
    code, output, report = _selftest(tmp_path, *CAUGHT)
    assert code == 0, output
    assert report["ok"] is True and report["score"] == {"caught": 3, "total": 3}
    assert [v["name"] for v in report["violations"]] == CAUGHT
    for row in report["violations"]:
        assert row["caught_by"] and set(row["caught_by"]) <= set(row["expected"]) == set(VIOLATIONS[row["name"]].caught_by)
    assert next(v for v in report["violations"] if v["name"] == "bad-api-version-404")["flavor"] == "azure"
    faithful = report["faithful"]
    expected = {c for name in CAUGHT for c in VIOLATIONS[name].caught_by}
    assert faithful["checks"] == len(expected) and faithful["failed"] == []
    assert sum(faithful["verdicts"].values()) == 2 * len(expected)  # both flavours judged every check
    assert "mutation score: 3/3" in output
    assert "| `stream-sequence-starts-at-1` | openai |" in (tmp_path / "selftest.md").read_text()


@pytest.fixture
def harmless() -> Iterator[str]:
    """A registered violation that rewrites nothing, so no check can catch it."""
    violation(HARMLESS, "Rewrites nothing.", caught_by=("streaming.text.conforms",), on_events=lambda ex, events: events)
    yield HARMLESS
    del VIOLATIONS[HARMLESS]


def test_a_violation_no_check_catches_fails_the_selftest_and_is_named(tmp_path: Path, harmless: str) -> None:
    code, output, report = _selftest(tmp_path, harmless, "stream-sequence-starts-at-1")
    assert code == 1
    assert f"survived: {harmless}" in output and "mutation score: 1/2" in output
    assert report["survivors"] == [harmless] and report["ok"] is False
    row = next(v for v in report["violations"] if v["name"] == harmless)
    assert row == {**row, "caught": False, "caught_by": [], "verdicts": {"streaming.text.conforms": "passed"}}


def test_a_failed_verdict_against_the_faithful_server_fails_the_selftest() -> None:
    mutant = MutantResult("m", "d", "openai", ("a.b",), {"a.b": "failed"})
    clean = FaithfulResult(("a.b",), {"passed": 2}, ())
    assert SelftestResult((mutant,), clean, 0.0).ok
    broken = FaithfulResult(("a.b",), {"failed": 1, "passed": 1}, ("cell a.b: wrong",))
    assert not SelftestResult((mutant,), broken, 0.0).ok


def test_an_unknown_violation_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["selftest", "--only", "no-such-bug", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == "error: unknown violation(s) or legal variation(s): no-such-bug"
    assert not (tmp_path / "selftest.json").exists()
