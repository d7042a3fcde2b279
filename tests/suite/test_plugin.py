"""The pytest plugin, run with pytester in a subprocess (so fake checks stay out of this registry)."""

from __future__ import annotations

import orjson
import pytest

pytest_plugins = ["pytester"]

CHECKS = '''
from conformance.checks import ContractViolation, NonStrict, NotApplicable, TargetUnreachable, check
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


RUN_TIME_OVERRIDE = '''
import dataclasses

import orjson
import pytest


@pytest.fixture(scope="session")
def conformance_options(conformance_options):
    return dataclasses.replace(conformance_options, out=conformance_options.out / "elsewhere", fail_on="never",
                               sdk="my-sdk 1.2")
'''


def test_the_report_is_written_and_fail_on_sets_the_exit_status(pytester: pytest.Pytester):
    pytester.makepyfile(test_checks=CHECKS)
    failing = pytester.runpytest_subprocess("--rc-out", "out", "-k", "fails or create")
    failing.assert_outcomes(passed=2, failed=2)
    assert failing.ret == pytest.ExitCode.TESTS_FAILED
    report = orjson.loads((pytester.path / "out" / "report.json").read_bytes())
    assert {r["check"]: r["verdict"] for r in report["cells"][0]["results"]} == {
        "plugin.create": "passed", "plugin.fails": "failed",
    }
    assert report["command"][0] == "pytest" and report["partial"] is False
    tolerated = pytester.runpytest_subprocess("--rc-out", "out", "-k", "fails", "--rc-fail-on", "never")
    tolerated.assert_outcomes(failed=2)
    assert tolerated.ret == pytest.ExitCode.OK


def test_a_conftest_overrides_the_options_that_steer_only_the_run(pytester: pytest.Pytester):
    pytester.makepyfile(test_checks=CHECKS)
    pytester.makeconftest(RUN_TIME_OVERRIDE)
    result = pytester.runpytest_subprocess("--rc-out", "out", "-k", "fails or create")
    result.assert_outcomes(passed=2, failed=2)
    assert result.ret == pytest.ExitCode.OK
    report = orjson.loads((pytester.path / "out" / "elsewhere" / "report.json").read_bytes())
    assert {cell["sdk"] for cell in report["cells"]} == {"my-sdk 1.2"}


def test_a_conftest_cannot_change_the_cells(pytester: pytest.Pytester):
    pytester.makepyfile(test_checks=CHECKS)
    pytester.makeconftest(RUN_TIME_OVERRIDE.replace('sdk="my-sdk 1.2"', 'profile="azure"'))
    result = pytester.runpytest_subprocess("-k", "create")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "conformance_options changes --rc-profile" in result.stdout.str() + result.stderr.str()


def test_checks_from_a_module_are_collected_and_run(pytester: pytest.Pytester):
    pytester.makepyfile(my_checks=(
        "from conformance.checks import check\n\n\n"
        "@check('mine.hello', spec='t')\n"
        "def test_hello(cell):\n"
        "    '''Mine.'''\n"
    ))
    result = pytester.runpytest_subprocess("--rc-checks-from", "my_checks", "--rc-only", "mine.*", "-v")
    result.assert_outcomes(passed=2)
    missing = pytester.runpytest_subprocess("--rc-checks-from", "no_such_module")
    assert missing.ret == pytest.ExitCode.USAGE_ERROR
    assert "no module named 'no_such_module'" in missing.stderr.str()
