"""The pytest plugin, run with pytester in a subprocess (so fake checks stay out of this registry)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CHECKS = '''
from conformance.checks._check import ContractViolation, NonStrict, NotApplicable, TargetUnreachable, check
from conformance.contract.violations import Violation


@check("plugin.create", spec="t", requires=["text"])
def test_create(cell, client, judge):
    """A created response conforms."""
    answer = client.create({"input": "hello"})
    judge.response(answer.json_or_none)


@check("plugin.fails", spec="t")
def test_fails(cell):
    """Fails."""
    raise ContractViolation("planted failure", expected=1, actual=2)


@check("plugin.computer", spec="t", requires=["computer_use"])
def test_computer(cell):
    """Needs computer use, which the reference cells lack."""


@check("plugin.non_strict", spec="t")
def test_non_strict(judge):
    """The judge found an undeclared field."""
    judge.strict_only.append(Violation("schema.strict", "undeclared"))


@check("plugin.mcp", spec="t", requires=["mcp"])
def test_mcp(mcp):
    """The local MCP server is given."""
    assert mcp.url.startswith("http://127.0.0.1:")


@check("plugin.not_applicable", spec="t", profiles=["azure"])
def test_azure_only(cell):
    """Azure only."""
    raise NotApplicable("dropped in the body")


def test_plain(request):
    assert "cell" not in request.fixturenames
'''

CHECKS = CHECKS.replace("TargetUnreachable, ", "")


def test_checks_run_per_cell_with_verdicts_as_pytest_outcomes(pytester: pytest.Pytester):
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_subprocess("-v", "-rsx")
    result.assert_outcomes(passed=5, failed=2, skipped=4, xfailed=2)
    result.stdout.fnmatch_lines(["*test_create*o4-mini-azure-v1*PASSED*", "*test_create*o4-mini-openai*PASSED*"])
    text = result.stdout.str()
    for expected in ("not_applicable: model o4-mini lacks computer_use (capability table)", "non_strict: [schema.strict]",
                     "not_applicable: profile openai is not one of azure", "planted failure"):
        assert expected in text


def test_tier_deselects_and_marks_select(pytester: pytest.Pytester):
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_subprocess("-m", "conformance_check", "-k", "fails", "--rc-tier", "smoke")
    result.assert_outcomes(deselected=13)


def test_the_plugin_is_inert_without_checks(pytester: pytest.Pytester):
    pytester.makepyfile(test_plain=(
        "import threading\n\n"
        "def test_no_server_started():\n"
        "    assert not [t for t in threading.enumerate() if 'server' in t.name]\n"
    ))
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_a_bad_matrix_file_is_a_usage_error(pytester: pytest.Pytester):
    pytester.makepyfile(test_checks=CHECKS)
    result = pytester.runpytest_subprocess("--rc-config", "missing.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "missing.toml: cannot read" in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_options_are_in_one_group(pytester: pytest.Pytester):
    result = pytester.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines(["*Responses API conformance checks*", "*--rc-endpoint*", "*--rc-mcp-url*"])
