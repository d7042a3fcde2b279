"""The resume checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_resume_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["resume.*"], flavor)


def test_resume_checks_pass_for_a_deployment_without_reasoning(verdicts: Verdicts) -> None:
    assert_faithful(verdicts, ["resume.*"], "openai", model="gpt-4o")


@pytest.mark.parametrize("name", violations_of("resume"))
def test_resume_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)
