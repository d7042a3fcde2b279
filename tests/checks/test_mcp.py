"""The MCP checks pass against the faithful reference server and catch each violation they name; the calls a
target reports are verified against the suite's MCP server log, and without it the checks say they could not."""

from __future__ import annotations

import pytest

from conformance.checks.test_mcp import UNVERIFIED
from conformance.reference.violations import VIOLATIONS
from conformance.run.runner import run_suite

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of
from .conftest import CellFor

# Violations only the MCP server's log can show: the target's own report looks faithful.
LOG_ONLY = ("mcp-call-fabricated", "mcp-approval-fabricated", "mcp-output-rewritten", "mcp-denial-called-hidden",
            "mcp-call-twice")


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_mcp_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["mcp.*"], flavor)


def test_the_faithful_verdicts_rest_on_the_log(verdicts: Verdicts) -> None:
    got = verdicts(["mcp.*"])
    assert {r.reason for r in got.values()} == {""}, {c: r.reason for c, r in got.items()}


@pytest.mark.parametrize("name", violations_of("mcp"))
def test_mcp_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)


@pytest.mark.parametrize("name", LOG_ONLY)
def test_without_the_log_the_checks_pass_on_the_report_and_say_so(reference_cells: CellFor, name: str) -> None:
    caught_by = VIOLATIONS[name].caught_by
    report = run_suite([reference_cells("openai", (name,))], only=list(caught_by), jobs=1)
    got = {r.check: (r.verdict.value, r.reason) for r in report.cells[0].results}
    assert got == dict.fromkeys(caught_by, ("passed", UNVERIFIED))
