"""`run` and the pytest plugin take the same options, and judge a check the same way.

The option sets come from the real command line (typer's click command) and the real plugin (pytest's parser),
not from the table of run options twice.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer.main
from typer.testing import CliRunner

from conformance.cli import app
from conformance.reference.config import ServerConfig
from conformance.reference.server import ServerHandle, start_server

pytest_plugins = ["pytester"]

ENV_VARS = ("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "OPENAI_API_KEY", "OPENAI_API_VERSION",
            "RC_CONFIG", "RC_TIER", "RC_OUT", "RC_JOBS", "RC_MCP_URL", "RC_CONCURRENCY", "RC_MODE", "RC_CASSETTES")
# A check that passes, one that fails as a documented Azure gap, one Azure does not apply.
CHECKS = ("lifecycle.create.returns_response", "files.purpose.user_data", "reasoning.encrypted.round_trip")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def _run_options() -> dict[str, Any]:
    """The options of the real `run` command by flag (without its dashes)."""
    command = typer.main.get_command(app)
    run = command.commands["run"]  # type: ignore[attr-defined]
    return {max(p.opts, key=len).removeprefix("--"): p for p in run.params if "--help" not in p.opts}


def _cli_refusal(flag: str, value: str) -> str:
    """What `run` says of ``--flag value`` ("" when it takes the value; an invalid --shard stops the run)."""
    result = CliRunner().invoke(app, ["run", f"--{flag}", value, "--shard", "x"], env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    return result.output if "Invalid value for" in result.output else ""


def _choices(message: str) -> list[str]:
    """The allowed values a refusal lists (click's "is not one of", argparse's "choose from")."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", message)
    found = re.search(r"(?:is not one of|choose from) ([^.)│\n]*)", text)
    return [choice.strip(" '") for choice in found.group(1).split(",")] if found else []


def _plugin_refusal(pytester: pytest.Pytester, *args: str) -> str:
    try:
        config = pytester.parseconfigure(*args)
    except pytest.UsageError as exc:
        return str(exc)
    config._ensure_unconfigure()
    return ""


def test_run_and_the_plugin_offer_the_same_options_with_the_same_values(pytester: pytest.Pytester):
    cli = _run_options()
    config = pytester.parseconfig()
    plugin = {name.removeprefix("rc_") for name in vars(config.option) if name.startswith("rc_")}
    assert plugin == {option.name for option in cli.values()}
    kinds: dict[str, set[str]] = {"flag": set(), "choice": set(), "number": set()}
    for flag, option in cli.items():
        rc = f"--rc-{flag}"
        if option.is_flag:
            assert pytester.parseconfig(rc).getoption(f"rc_{option.name}") is True
            kinds["flag"].add(flag)
            continue
        refusal = _cli_refusal(flag, "no-such-value")
        values = _choices(refusal) or (["2", "3"] if refusal else ["a", "b"])
        repeated = pytester.parseconfig(rc, values[0], rc, values[-1]).getoption(f"rc_{option.name}")
        assert repeated == ([values[0], values[-1]] if option.multiple else values[-1]), flag
        if _choices(refusal):
            with pytest.raises(pytest.UsageError) as plugin_refusal:
                pytester.parseconfig(rc, "no-such-value")
            assert _choices(str(plugin_refusal.value)) == _choices(refusal), flag
            kinds["choice"].add(flag)
        elif refusal:  # a number, at least 1
            assert "integer" in refusal and _cli_refusal(flag, "0")
            assert _plugin_refusal(pytester, rc, "no-such-value") and _plugin_refusal(pytester, rc, "0")
            assert not _cli_refusal(flag, "2") and not _plugin_refusal(pytester, rc, "2")
            kinds["number"].add(flag)
    assert kinds == {"flag": {"entra"}, "choice": {"api-style", "profile", "tier", "fail-on", "mode"},
                     "number": {"jobs", "concurrency", "max-requests", "max-output-tokens"}}


def test_the_plugin_reads_the_environment_variables_of_run(pytester: pytest.Pytester,
                                                             monkeypatch: pytest.MonkeyPatch):
    from conformance.run import plugin

    with_env = {flag: option for flag, option in _run_options().items() if option.envvar}
    assert {"tier", "out", "jobs", "endpoint", "api-key", "bearer", "mode"} <= set(with_env)
    for flag, option in with_env.items():
        value = (_choices(_cli_refusal(flag, "no-such-value")) or ["x"])[-1]
        value = "3" if flag in ("jobs", "concurrency") else value
        for name in [option.envvar] if isinstance(option.envvar, str) else option.envvar:
            monkeypatch.setenv(name, value)
            config = pytester.parseconfigure()
            got = getattr(config.stash[plugin._RUN].options, option.name)
            assert str(getattr(got, "value", got)) == value, (name, got)
            config._ensure_unconfigure()
            monkeypatch.delenv(name)


@pytest.fixture
def azure_server() -> Iterator[ServerHandle]:
    server = start_server(ServerConfig(flavor="azure", think_time=0.3))
    yield server
    server.stop()


def _verdicts(report: Path) -> tuple[list[dict[str, str]], dict[str, tuple[str, str]]]:
    document = orjson.loads(report.read_bytes())
    assert len(document["cells"]) == 1
    cell = document["cells"][0]
    identity = {k: v for k, v in cell.items() if k != "results"}
    return [identity], {r["check"]: (r["verdict"], r["reason"]) for r in cell["results"]}


def test_one_check_run_both_ways_has_the_same_cell_and_verdict(pytester: pytest.Pytester, azure_server: ServerHandle,
                                                                tmp_path: Path):
    target = ["endpoint", azure_server.url, "api-style", "azure-v1", "model", "gpt-4o", "region", "local",
              "api-key", azure_server.config.api_key]
    only = [arg for check in CHECKS for arg in ("only", check)]
    argv = [f"--{a}" if i % 2 == 0 else a for i, a in enumerate([*target, *only, "out", str(tmp_path / "cli")])]
    # in a child process: the checks imported in this one would outlive pytester's snapshot of sys.modules
    result = subprocess.run([sys.executable, "-m", "conformance.cli", "run", *argv], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    plugin_argv = [f"--rc-{a}" if i % 2 == 0 else a
                   for i, a in enumerate([*target, *only, "out", str(tmp_path / "pytest")])]
    outcome = pytester.runpytest_subprocess("--pyargs", "conformance.checks", "-p", "no:cacheprovider", *plugin_argv)
    outcome.assert_outcomes(passed=1, xfailed=1, skipped=1)
    assert outcome.ret == pytest.ExitCode.OK
    cli_cells, cli_verdicts = _verdicts(tmp_path / "cli" / "report.json")
    plugin_cells, plugin_verdicts = _verdicts(tmp_path / "pytest" / "report.json")
    assert plugin_cells == cli_cells
    assert plugin_verdicts == cli_verdicts
    assert {v for v, _ in cli_verdicts.values()} == {"passed", "known_issue", "not_applicable"}
    assert azure_server.config.api_key not in (tmp_path / "pytest" / "report.json").read_text()
