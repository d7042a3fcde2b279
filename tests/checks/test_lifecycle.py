"""The lifecycle checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from conformance.checks import info_of
from conformance.reference.violations import VIOLATIONS
from conformance.run.runner import load_checks

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_lifecycle_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["lifecycle.*"], flavor)


@pytest.mark.parametrize("name", violations_of("lifecycle"))
def test_lifecycle_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)


def test_every_lifecycle_check_is_caught_by_a_violation() -> None:
    checks = {info.id for info in map(info_of, load_checks()) if info is not None and info.feature == "lifecycle"}
    caught = {c for v in VIOLATIONS.values() for c in v.caught_by if c.split(".", 1)[0] == "lifecycle"}
    assert checks, "no lifecycle check is registered"
    assert caught == checks, {"without a violation": checks - caught, "not a check": caught - checks}
