"""The fuzz checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from conformance.checks import info_of
from conformance.reference.violations import VIOLATIONS
from conformance.run.runner import load_checks

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_fuzz_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["fuzz.*"], flavor)


@pytest.mark.parametrize("name", violations_of("fuzz"))
def test_fuzz_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)


def test_a_failure_holds_the_minimal_request_and_a_curl_line_without_the_key(verdicts: Verdicts) -> None:
    result = verdicts(["fuzz.create.valid_not_5xx"], ["create-500-on-sampling-parameters"])["fuzz.create.valid_not_5xx"]
    assert result.verdict.value == "failed"
    assert "POST /responses {" in result.reason and "answered 500" in result.reason
    lines = [e["reproduce"] for e in result.evidence if "reproduce" in e]
    assert len(lines) == 1 and lines[0].startswith("curl -X POST http://127.0.0.1:"), result.evidence
    assert '"api-key: $API_KEY"' in lines[0]
    assert "checks-test-key" not in repr(result)


def test_every_fuzz_check_is_caught_by_a_violation() -> None:
    checks = {info.id for info in map(info_of, load_checks()) if info is not None and info.feature == "fuzz"}
    caught = {c for v in VIOLATIONS.values() for c in v.caught_by if c.split(".", 1)[0] == "fuzz"}
    assert checks, "no fuzz check is registered"
    assert caught == checks, {"without a violation": checks - caught, "not a check": caught - checks}
