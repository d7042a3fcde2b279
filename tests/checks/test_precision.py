"""One root cause, one finding: a violation fails the check whose sentence it breaks, never its neighbours.

Every check runs against a faithful reference server, against one that ends its streams with ``[DONE]``, and
against one whose ``usage`` carries a gateway's undeclared ``cost`` (the legal variation ``usage-cost``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.checks import Judge, registry
from conformance.reference.config import ServerConfig
from conformance.reference.mcp_server import McpServerHandle
from conformance.reference.server import start_server
from conformance.report.model import CheckResult, Report
from conformance.run.embedded import reference_cell
from conformance.run.runner import run_suite

from ._kit import Verdicts
from .conftest import KEY, MCP_TOKEN

EVERY_CHECK = ["*"]


@pytest.fixture(scope="module")
def faithful(verdicts: Verdicts) -> dict[str, CheckResult]:
    return verdicts(EVERY_CHECK)


@pytest.fixture(scope="module")
def costed(mcp_server: McpServerHandle) -> Iterator[Report]:
    """Every check against a server whose responses' usage carries ``cost``."""
    config = ServerConfig(api_key=KEY, think_time=0.25, keepalive_interval=0.05, variations=("usage-cost",))
    handle = start_server(config)
    try:
        cell = reference_cell("openai", handle.url, KEY, mcp_server.url, MCP_TOKEN.removeprefix("Bearer "))
        yield run_suite([cell], only=EVERY_CHECK, mcp_seen={mcp_server.url: mcp_server.log})
    finally:
        handle.stop()


def test_the_faithful_server_has_no_finding(faithful: dict[str, CheckResult]) -> None:
    assert {c: r.findings for c, r in faithful.items() if r.findings} == {}


def test_a_done_sentinel_fails_exactly_the_sentinel_check(
    verdicts: Verdicts, faithful: dict[str, CheckResult]
) -> None:
    got = verdicts(EVERY_CHECK, ["done-sentinel-in-stream"])
    changed = {c: f"{faithful[c].verdict.value} -> {r.verdict.value}: {r.reason}"
               for c, r in got.items() if r.verdict != faithful[c].verdict}
    assert changed.keys() == {"streaming.sentinel.absent"}, changed
    assert got["streaming.sentinel.absent"].verdict.value == "failed"
    seen = {c for c, r in got.items() if any(f.rule == "stream.done_sentinel" for f in r.findings)}
    assert {"streaming.text.conforms", "streaming.sentinel.absent"} <= seen  # a finding where it was seen


def test_an_undeclared_usage_property_keeps_every_behavioural_verdict(
    costed: Report, faithful: dict[str, CheckResult]
) -> None:
    got = {r.check: r for r in costed.cells[0].results}
    assert got.keys() == faithful.keys()
    changed = {c: (faithful[c].verdict.value, r.verdict.value) for c, r in got.items()
               if r.verdict != faithful[c].verdict}
    subject = {c for c in got if Judge.for_check("openai", registry()[c], registry()).owned("response", "schema.undeclared")}
    assert changed, "no check owns the Response's schema: strict mode would never show the extra property"
    assert {c: v for c, v in changed.items() if c not in subject or v != ("passed", "non_strict")} == {}
    assert all(faithful[c].verdict == got[c].verdict for c in got if c not in subject)
    [finding] = [f.finding for f in costed.findings]
    assert (finding.rule, finding.where, finding.pointer, finding.found, finding.strict) == (
        "schema.undeclared", "response", "/usage", "cost", True)
    assert "'cost' was unexpected" in finding.message
    reasons = [got[c].reason for c in changed]
    assert all("cost" in reason for reason in reasons), reasons
