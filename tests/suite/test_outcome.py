"""Applicability before a check runs and the verdict of its outcome."""

from __future__ import annotations

import dataclasses

from suitekit import make_cell

from conformance.checks import CheckInfo, ContractViolation, NonStrict, Tier
from conformance.client import BudgetExhausted
from conformance.contract.rules import Level
from conformance.contract.violations import Violation
from conformance.report.model import Verdict
from conformance.run.outcome import (
    KnownIssue,
    applicability,
    load_known_issues,
    one_line,
    stop_reason,
    verdict_of,
)

INFO = CheckInfo("images.generate.basic", Level.MUST, "s", "spec", frozenset({"image_generation"}), None,
                 Tier.core, "0.1.0", "m.f")
MCP = dataclasses.replace(INFO, id="mcp.basic", requires=frozenset({"mcp"}))


def test_applicability_is_profile_then_capabilities_then_what_was_given():
    azure = make_cell(provider="azure", profile="azure", capabilities=frozenset({"image_generation", "mcp"}))
    assert applicability(dataclasses.replace(INFO, profiles=frozenset({"openai"})), azure).verdict is Verdict.not_applicable
    assert applicability(INFO, make_cell()).reason == "model gpt-4o lacks image_generation (capability table)"
    assert applicability(INFO, azure).reason == "no gpt-image-1 deployment (--image-deployment)"
    assert applicability(INFO, dataclasses.replace(azure, image_deployment="img")) is None
    assert applicability(MCP, azure).reason == "no public MCP server URL (--mcp-url)"
    assert applicability(MCP, dataclasses.replace(azure, mode="replay")) is None
    assert applicability(MCP, dataclasses.replace(azure, mcp_url="https://mcp.example/mcp")) is None


def test_verdict_of_maps_each_outcome():
    cell = make_cell()
    assert verdict_of(None, INFO, cell).verdict is Verdict.passed
    violation = Violation("schema.strict", "undeclared")
    assert verdict_of(None, INFO, cell, [violation]).verdict is Verdict.non_strict
    assert verdict_of(NonStrict([violation]), INFO, cell).verdict is Verdict.non_strict
    assert verdict_of(ContractViolation("bad"), INFO, cell).verdict is Verdict.failed
    assert verdict_of(RuntimeError(), INFO, cell).reason == "RuntimeError"
    issue = KnownIssue(("images.*",), ("openai",), "gap", "https://x")
    assert verdict_of(ContractViolation("bad"), INFO, cell, known_issues=[issue]).verdict is Verdict.known_issue
    assert verdict_of(ContractViolation("bad"), INFO, make_cell(profile="azure"), known_issues=[issue]).verdict is Verdict.failed


def test_what_stops_the_run_is_an_error_verdict_and_a_reason_to_stop():
    cell = make_cell()
    spent = verdict_of(BudgetExhausted("20 requests"), INFO, cell)
    assert (spent.verdict, spent.reason) == (Verdict.error, "budget spent: 20 requests")
    assert verdict_of(KeyboardInterrupt(), INFO, cell).reason == "interrupted (Ctrl-C)"
    assert verdict_of(SystemExit(3), INFO, cell).reason == "SystemExit raised by the check"
    assert [stop_reason(e) for e in (BudgetExhausted(), KeyboardInterrupt(), SystemExit(), None)] == [
        "budget spent", "interrupted (Ctrl-C)", None, None,
    ]


def test_the_builtin_known_issues_are_azure_gaps_with_links():
    issues = load_known_issues()
    assert len(issues) == 3  # the rest of the file: tests/suite/test_known_issues.py
    assert all(i.profiles == ("azure",) and i.link.startswith("https://") for i in issues)
    assert any(i.matches("errors.missing_model.names_param", "azure") for i in issues)
    assert any(i.matches("files.purpose.user_data", "azure") for i in issues)
    assert not any(i.matches("files.purpose.user_data", "openai") for i in issues)


def test_one_line_takes_the_first_non_empty_line_and_caps_it():
    assert one_line("\n  first  \nsecond") == "first"
    assert len(one_line("x" * 1000)) == 300
