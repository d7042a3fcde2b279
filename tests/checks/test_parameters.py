"""The parameters checks pass against the faithful reference server (a reasoning and a plain model, both
flavours) and catch each violation they name."""

from __future__ import annotations

import pytest

from conformance.checks import info_of
from conformance.reference.violations import VIOLATIONS
from conformance.run.runner import load_checks

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of

PLAIN = "gpt-4o"  # takes temperature and top_p (the reference model o4-mini refuses them)


@pytest.mark.parametrize("model", [None, PLAIN])
@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_parameter_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str, model: str | None) -> None:
    assert_faithful(verdicts, ["parameters.*"], flavor, model=model)


@pytest.mark.parametrize("name", violations_of("parameters"))
def test_parameter_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)


@pytest.mark.parametrize("name", ["unknown-parameter-unnamed", "sampling-dropped", "metadata-dropped"])
def test_the_azure_flavour_is_caught_too(verdicts: Verdicts, name: str) -> None:
    caught_by = list(VIOLATIONS[name].caught_by)
    got = verdicts(caught_by, [name], flavor="azure", model=PLAIN)
    assert {c: r.verdict.value for c, r in got.items()} == dict.fromkeys(caught_by, "failed"), got


def test_every_parameters_check_is_caught_by_a_violation() -> None:
    checks = {info.id for info in map(info_of, load_checks()) if info is not None and info.feature == "parameters"}
    caught = {c for v in VIOLATIONS.values() for c in v.caught_by if c.split(".", 1)[0] == "parameters"}
    assert checks == caught == {"parameters.unknown.refused", "parameters.sampling.echoed", "parameters.fields.echoed"}
