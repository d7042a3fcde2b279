"""The streaming checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_streaming_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["streaming.*"], flavor)


def test_streaming_checks_pass_for_a_deployment_without_reasoning(verdicts: Verdicts) -> None:
    assert_faithful(verdicts, ["streaming.*"], "openai", {"streaming.reasoning.conforms": "not_applicable"}, "gpt-4o")


@pytest.mark.parametrize("name", violations_of("streaming"))
def test_streaming_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)


def test_unnumbered_keepalives_are_caught_in_both_flavours(verdicts: Verdicts) -> None:
    got = verdicts(["streaming.text.conforms"], ["keepalive-without-sequence-number"], "azure")
    assert got["streaming.text.conforms"].verdict.value == "failed", got
