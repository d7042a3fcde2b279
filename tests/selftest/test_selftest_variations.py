"""``selftest`` judges the legal variations: a verdict a variation changes fails the self-test, named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conformance.checks import check, expect, registry
from conformance.cli import app
from conformance.client import ResponsesClient
from conformance.matrix import Cell
from conformance.reference.variations import VARIATIONS, variation
from conformance.reference.variations._base import FRAMING
from conformance.selftest import FaithfulResult, SelftestResult, VariationResult, write_selftest

INTOLERANT = "selftest.intolerant.no_comment_lines"
PINGS = "selftest-ping-comments"


def _selftest(tmp_path: Path, *names: str) -> tuple[int, str, dict[str, Any]]:
    args = ["selftest", "--out", str(tmp_path), "--jobs", "4"]
    for name in names:
        args += ["--only", name]
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output, json.loads((tmp_path / "selftest.json").read_text())


def test_legal_variations_are_judged_beside_the_violations_with_both_scores(tmp_path: Path) -> None:
    code, output, report = _selftest(tmp_path, "sse-crlf", "obfuscation", "stream-sequence-starts-at-1")
    assert code == 0, output
    assert report["score"] == {"caught": 1, "total": 1} and report["variation_score"] == {
        "passed": 2,
        "total": 2,
    }
    assert report["ok"] is True and report["broken"] == []
    crlf = next(v for v in report["variations"] if v["name"] == "sse-crlf")
    assert crlf["flavors"] == ["azure", "openai"] and "streaming.text.conforms" in crlf["checks"]
    assert crlf["verdicts"]["azure"]["streaming.text.conforms"] == "passed" and crlf["changed"] == []
    assert {v["name"] for v in report["variations"]} == {"sse-crlf", "obfuscation"}
    assert "mutation score: 1/1; legal variations passed: 2/2" in output
    assert "| `sse-crlf` | azure, openai |" in (tmp_path / "selftest.md").read_text()


def intolerant(cell: Cell, client: ResponsesClient) -> None:
    """A stream MUST hold nothing but event and data lines (wrong: SSE comments are legal)."""
    reply = client.raw(
        "POST", "/responses", json={"model": cell.model, "input": "Say hello.", "stream": True}
    )
    comments = [line for line in reply.text.splitlines() if line.startswith(":")]
    expect(not comments, "the stream carries a comment line", expected="no comment line", actual=comments[:1])


@pytest.fixture
def intolerance(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A check that refuses SSE comments, and a legal variation that sends them, registered for one test."""
    monkeypatch.setattr("conformance.checks._check.REGISTRY", dict(registry()))  # ``check`` writes to a copy
    check(INTOLERANT, spec="a deliberately intolerant test check", requires=("streaming",))(intolerant)
    variation(
        PINGS,
        "Sends `: ping` comments before events (for this test).",
        source="WHATWG HTML 9.2.6",
        affects=(INTOLERANT,),
        wrap=VARIATIONS["sse-comments"].wrap,
        layer=FRAMING,
        flavors=("openai",),
    )
    yield PINGS
    del VARIATIONS[PINGS]
    del intolerant.__conformance_check__  # type: ignore[attr-defined]


def test_a_check_that_fails_a_legal_variation_fails_the_selftest(tmp_path: Path, intolerance: str) -> None:
    code, output, report = _selftest(tmp_path, intolerance)
    assert code == 1
    assert report["ok"] is False and report["broken"] == [intolerance]
    assert report["variation_score"] == {"passed": 0, "total": 1}
    (row,) = report["variations"]
    assert row["verdicts"] == {"openai": {INTOLERANT: "failed"}} and row["passed"] is False
    assert row["changed"][0].startswith(
        f"openai {INTOLERANT}: passed -> failed (the stream carries a comment line"
    )
    assert f"changed a verdict: {intolerance}" in output and "legal variations passed: 0/1" in output


def _varied(faithful: str, varied: str, strict_differs: bool = False) -> VariationResult:
    return VariationResult(
        "v",
        "d",
        ("openai",),
        {"openai": {"a.b": varied}},
        {"openai": {"a.b": faithful}},
        strict_differs,
        {"openai": {"a.b": "why"}},
    )


def test_a_variation_passes_only_when_every_verdict_stays() -> None:
    assert _varied("passed", "passed").passed and _varied("known_issue", "known_issue").passed
    assert _varied("passed", "error").changed == ("openai a.b: passed -> error (why)",)
    assert not _varied("failed", "passed").passed  # a verdict the variation changes, whichever way
    assert not _varied("passed", "non_strict").passed
    assert _varied("passed", "non_strict", strict_differs=True).passed  # it adds fields strict mode refuses
    faithful = FaithfulResult(("a.b",), {"passed": 1}, ())
    assert SelftestResult((), faithful, 0.0, (_varied("passed", "passed"),)).ok
    assert not SelftestResult((), faithful, 0.0, (_varied("passed", "failed"),)).ok


def test_pending_variations_are_listed_with_their_reason(tmp_path: Path) -> None:
    faithful = FaithfulResult((), {}, ())
    result = SelftestResult(
        (), faithful, 0.0, (_varied("passed", "passed"),), (("later", "a check says no"),)
    )
    write_selftest(result, tmp_path)
    report = json.loads((tmp_path / "selftest.json").read_text())
    assert report["pending"] == [{"name": "later", "reason": "a check says no"}] and report["ok"] is True
    assert "| `later` | | | pending: a check says no | PENDING |" in (tmp_path / "selftest.md").read_text()
