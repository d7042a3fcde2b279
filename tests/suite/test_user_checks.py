"""Your own checks: a module of ``@check`` functions (``--checks-from``) or a plugin's entry point joins the run."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from suitekit import FakeServer, make_cell

from conformance.checks import info_of
from conformance.reference._uvicorn import serve_in_thread
from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.report.model import Verdict
from conformance.run import runner
from conformance.run.embedded import reference_cell
from conformance.run.runner import CheckLoadError, load_checks, run_suite

README = Path(__file__).resolve().parents[2] / "README.md"
# A module of two checks against the mock server: one passes, one fails.
MODULE = '''
from conformance.checks import Cell, Level, ResponsesClient, check, expect


@check("mine.create.answers_200", spec="our gateway's runbook", level=Level.MUST)
def test_create_answers_200(cell: Cell, client: ResponsesClient) -> None:
    """A create MUST answer 200 with a response id."""
    reply = client.create({"input": "Say hello."})
    expect(reply.status_code == 200, "create did not answer 200", expected=200, actual=reply.status_code)
    expect(str((reply.json_or_none or {}).get("id")).startswith("resp_"), "no response id", actual=reply.text)


@check("mine.create.names_the_gateway", spec="our gateway's runbook", level=Level.SHOULD)
def test_create_names_the_gateway(client: ResponsesClient) -> None:
    """A create SHOULD carry the gateway's x-gateway header."""
    reply = client.create({"input": "Say hello."})
    expect("x-gateway" in reply.headers, "no x-gateway header", expected="x-gateway", actual=sorted(reply.headers))
'''


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> Iterator[str]:
    """``source`` as a module on sys.path, registered into a private registry (the suite's stay loaded)."""
    load_checks()  # the suite's own checks are imported (and registered) before the registry is swapped
    monkeypatch.setattr("conformance.checks._check.REGISTRY", {})
    name = f"user_checks_{abs(hash(tmp_path)) % 10**8}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


@pytest.fixture
def user_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The module of two checks."""
    yield from _module(tmp_path, monkeypatch, MODULE)


@pytest.fixture
def readme_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The README's example module ("Your own checks")."""
    section = README.read_text(encoding="utf-8").split("## Your own checks", 1)[1]
    yield from _module(tmp_path, monkeypatch, section.split("```python\n", 1)[1].split("```", 1)[0])


def test_checks_from_a_module_run_and_their_verdicts_are_reported(user_module: str) -> None:
    checks = load_checks([user_module])
    assert sorted(info.id for info in map(info_of, checks) if info) == [
        "mine.create.answers_200", "mine.create.names_the_gateway",
    ]
    report = run_suite([make_cell()], checks=checks, transport_factory=FakeServer().factory(), jobs=1)
    results = {r.check: r for r in report.cells[0].results}
    assert results["mine.create.answers_200"].verdict is Verdict.passed
    failed = results["mine.create.names_the_gateway"]
    assert (failed.verdict, failed.level) == (Verdict.failed, "SHOULD")
    assert failed.reason.startswith("no x-gateway header / expected x-gateway")
    assert report.checks["mine.create.answers_200"]["sentence"] == "A create MUST answer 200 with a response id."


def test_an_unknown_module_is_one_clear_line() -> None:
    with pytest.raises(CheckLoadError) as info:
        load_checks(["no_such_checks_module"])
    assert str(info.value) == "--checks-from no_such_checks_module: no module named 'no_such_checks_module'"


def test_a_module_that_fails_to_import_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken_user_checks.py").write_text("raise RuntimeError('half written\\nsecond line')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        with pytest.raises(CheckLoadError, match=r"^--checks-from broken_user_checks: RuntimeError: half written$"):
            load_checks(["broken_user_checks"])
    finally:
        sys.modules.pop("broken_user_checks", None)


def test_installed_plugins_join_through_their_entry_point(user_module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    point = EntryPoint(name="mine", value=user_module, group=runner.ENTRY_POINTS)
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [point] if group == runner.ENTRY_POINTS else [])
    ids = {info.id for info in map(info_of, load_checks()) if info}
    assert {"mine.create.answers_200", "mine.create.names_the_gateway"} <= ids
    missing = EntryPoint(name="gone", value="no_such_plugin.checks", group=runner.ENTRY_POINTS)
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [missing])
    with pytest.raises(CheckLoadError, match=r"^entry point gone \(no_such_plugin.checks\): no module named"):
        load_checks()


def test_the_readme_example_passes_against_the_reference_server(readme_module: str) -> None:
    url, server, thread = serve_in_thread(create_app(ServerConfig(flavor="openai", api_key="k-1234")),
                                          "127.0.0.1", 0, "reference server")
    try:
        cell = reference_cell("openai", url, "k-1234", "http://127.0.0.1:9/mcp", "t")
        report = run_suite([cell], checks=load_checks([readme_module]), jobs=1)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert [(r.check, r.verdict, r.reason) for r in report.cells[0].results] == [
        ("mygateway.metadata.echoed", Verdict.passed, ""),
    ]
