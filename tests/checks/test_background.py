"""The background checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from conformance.checks import test_background as background

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of


@pytest.fixture(autouse=True)
def _short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference jobs take 0.25 s: a second is long enough to see one finish, or keep running."""
    monkeypatch.setattr(background, "TERMINAL_WAIT_S", 1.5)
    monkeypatch.setattr(background, "SETTLE_S", 0.75)


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_background_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["background.*"], flavor)


def test_background_checks_pass_for_a_deployment_without_reasoning(verdicts: Verdicts) -> None:
    assert_faithful(verdicts, ["background.*"], "openai", model="gpt-4o")


@pytest.mark.parametrize("name", violations_of("background"))
def test_background_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)
