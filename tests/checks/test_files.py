"""The file-input checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of

# Azure documents uploads with purpose user_data as not supported: the built-in known-issues file says so.
AZURE_KNOWN = {"files.purpose.user_data": "known_issue"}


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_file_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["files.*"], flavor, AZURE_KNOWN if flavor == "azure" else None)


def test_file_checks_pass_for_a_deployment_without_reasoning(verdicts: Verdicts) -> None:
    assert_faithful(verdicts, ["files.input.*", "files.purpose.*"], "openai", model="gpt-4o")  # the limits do not depend on the model


@pytest.mark.parametrize("name", violations_of("files"))
def test_file_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)
