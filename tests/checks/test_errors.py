"""The error checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from conformance.checks import info_of
from conformance.reference.violations import VIOLATIONS
from conformance.run.runner import load_checks

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of

AZURE_ONLY = {"errors.api_version.unsupported"}  # judged on the Azure API styles only


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_error_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    allowed = {c: "not_applicable" for c in AZURE_ONLY} if flavor == "openai" else {}
    assert_faithful(verdicts, ["errors.*"], flavor, allowed)


@pytest.mark.parametrize("name", violations_of("errors"))
def test_error_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    caught_by = list(VIOLATIONS[name].caught_by)
    if not set(caught_by) & AZURE_ONLY:
        assert_caught(verdicts, name)
        return
    got = verdicts(caught_by, [name], flavor="azure")
    assert {c: r.verdict.value for c, r in got.items()} == dict.fromkeys(caught_by, "failed"), got


def test_every_error_check_is_caught_by_a_violation() -> None:
    checks = {info.id for info in map(info_of, load_checks()) if info is not None and info.feature == "errors"}
    caught = {c for v in VIOLATIONS.values() for c in v.caught_by if c.split(".", 1)[0] == "errors"}
    assert checks, "no errors check is registered"
    assert caught == checks, {"without a violation": checks - caught, "not a check": caught - checks}
