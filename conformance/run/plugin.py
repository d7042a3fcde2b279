"""The pytest plugin: run the checks under plain pytest, one test per check and cell.

``pytest --pyargs conformance.checks --rc-endpoint URL --rc-model NAME --rc-api-key KEY`` (or ``--rc-config
matrix.toml``; with neither, the embedded reference servers). Every option of ``responses-conformance run``
is here as ``--rc-<option>``, with the same environment variables and meaning (``conformance.run.options``):
the same cells (``cells_from``), verdicts (``verdict_of``), report (``--rc-out``) and gate (``--rc-fail-on``
sets the exit status unless a test that is not a check failed). Inert unless checks are collected.

Verdicts map to pytest outcomes: passed → passed; failed → failed; error → failed ("error: ...");
not_applicable, unsupported, skipped → skipped ("<verdict>: reason"); non_strict and known_issue → xfailed
(visible in ``-ra``, not a failure: the target passes the compat contract, or fails as documented).

The session fixture ``conformance_options`` holds the options; a conftest may override it (as
pytest-recording's ``vcr_config``) to change those that steer only the run: out, fail_on, jobs, concurrency,
the budget, sdk and gateway. The others make the cells or pick the checks before any fixture runs.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import time
from collections.abc import Generator, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from conformance.checks import Judge, McpServer, Skipped, info_of
from conformance.client import ResponsesClient
from conformance.matrix import Cell
from conformance.report.model import Verdict
from conformance.run.context import CheckContext
from conformance.run.launch import exit_code, redact_command, write_report
from conformance.run.options import OPTIONS, SECRET_FLAGS, OptionError, RunOption, RunOptions, options_from
from conformance.run.outcome import applicability, stop_reason, verdict_of
from conformance.run.session import PREFIX, CheckSession, flag

MARK = "conformance_check"
_OUTCOMES = (pytest.skip.Exception, pytest.xfail.Exception, pytest.fail.Exception, pytest.exit.Exception)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("responses-conformance", "Responses API conformance checks (the options of run)")
    for row in OPTIONS:
        group.addoption(flag(row), **_argparse(row))


def _argparse(row: RunOption) -> dict[str, Any]:
    spec = row.spec
    notes = [f"env: {', '.join(spec.env)}"] if spec.env and not spec.secret else []
    if row.default not in (None, [], False, ""):
        notes.append(f"default: {getattr(row.default, 'value', row.default)}")
    help = " ".join([spec.help, *([f"({'; '.join(notes)})"] if notes else [])])
    help += f" [{spec.pytest}]" if spec.pytest else ""
    kwargs: dict[str, Any] = {"dest": f"rc_{row.name}", "help": help.replace("%", "%%"), "default": None}
    if row.many:
        return {**kwargs, "action": "append", "metavar": row.name.upper()}
    if row.base is bool:
        return {**kwargs, "action": "store_true"}
    if row.choices:
        return {**kwargs, "choices": row.choices}
    return {**kwargs, "metavar": row.name.upper()}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARK}(id, level, tier): a Responses API conformance check")
    values = {row.name: config.getoption(f"rc_{row.name}") for row in OPTIONS}
    try:
        command = redact_command(["pytest", *config.invocation_params.args], _FLAGS)
        options = options_from(values, os.environ, command)
    except OptionError as exc:
        raise pytest.UsageError(f"responses-conformance: {exc}") from None
    run = config.stash[_RUN] = CheckSession(options)
    for module in options.checks_from:  # collected as tests, as the suite's own modules are
        run.module_files.add(Path(_module_file(module)))
        config.args.append(_module_file(module))
    if values["config"] or values["endpoint"]:  # a bad matrix file or target is a usage error at once
        run.cells()
        if run.error is not None:
            raise pytest.UsageError(run.error)


def _module_file(name: str) -> str:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise pytest.UsageError(f"responses-conformance: {PREFIX}checks-from: no module named {name!r}")
    return spec.origin


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """A --rc-checks-from module found in a folder pytest walks, whatever its name."""
    if file_path not in parent.config.stash[_RUN].module_files or parent.session.isinitpath(file_path):
        return None
    if any(fnmatch.fnmatch(file_path.name, pattern) for pattern in parent.config.getini("python_files")):
        return None  # pytest's own collector takes it
    return pytest.Module.from_parent(parent, path=file_path)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if info_of(metafunc.function) is None or "cell" not in metafunc.fixturenames:
        return
    cells = metafunc.config.stash[_RUN].cells()
    metafunc.parametrize("cell", cells, ids=[c.id for c in cells], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    run = config.stash[_RUN]
    if run.error is not None:
        raise pytest.UsageError(run.error)
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        info = info_of(getattr(item, "function", None))
        if info is not None:
            item.add_marker(getattr(pytest.mark, MARK)(info.id, info.level.value, info.tier.value))
        (dropped if info is not None and not run.picks(info) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    run = session.config.stash[_RUN]
    for item in session.items:
        info = info_of(getattr(item, "function", None))
        callspec = getattr(item, "callspec", None)
        cell = callspec.params.get("cell") if callspec is not None else None
        if info is not None and isinstance(cell, Cell):
            run.collected(item.nodeid, cell, info)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    info = info_of(getattr(item, "function", None))
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    cell = funcargs.get("cell")
    if info is None or not isinstance(cell, Cell):
        return (yield)
    run = item.config.stash[_RUN]
    context = funcargs.get("_rc_context")
    context = context if isinstance(context, CheckContext) else None
    error: BaseException | None = None
    result: object = None
    start = time.monotonic()
    try:
        with run.resources.scope(cell, info.id) if context is not None and run.resources else nullcontext():
            result = yield
    except _OUTCOMES:
        raise
    except BaseException as exc:  # any outcome of a check body becomes a verdict, as in the runner
        error = exc
    findings = context.findings() if context else []
    outcome = verdict_of(error, info, cell, context.strict_only() if context else (), run.known_issues, findings)
    outcome = context.annotated(outcome) if context else outcome
    run.record(cell, info, outcome, time.monotonic() - start, context)
    reason = stop_reason(error)
    if reason is not None:
        run.stopped = reason
        item.session.shouldstop = reason
    if error is not None and (outcome.verdict is Verdict.failed or isinstance(error, KeyboardInterrupt)):
        raise error  # pytest shows the assertion and its traceback
    _report(outcome.verdict, outcome.reason, outcome.link)
    return result


def _report(verdict: Verdict, reason: str, link: str | None = None) -> None:
    """Turn a verdict other than passed / failed into the pytest outcome the module docstring names."""
    if verdict in (Verdict.not_applicable, Verdict.unsupported, Verdict.skipped):
        pytest.skip(f"{verdict.value}: {reason}")
    if verdict in (Verdict.non_strict, Verdict.known_issue):
        pytest.xfail(f"{verdict.value}: {reason}" + (f" ({link})" if link else ""))
    if verdict is Verdict.error:
        pytest.fail(f"error: {reason}", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    run = item.config.stash.get(_RUN, None)
    if run is not None and report.failed and item.nodeid not in run.nodes:
        run.plain_failed = True  # a failed test that is not a check: the exit status stays pytest's
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(_RUN, None)
    if run is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:
        if reporter is not None:
            reporter.write_line(f"responses-conformance: {line}")

    left = run.cleanup()
    for line in left:
        say(f"not cleaned up: {line}")
    report = run.report(left)
    if report is None:
        return
    options = run.effective or run.options
    worker = getattr(session.config, "workerinput", {}).get("workerid")  # pytest-xdist: one report per worker
    out = options.out / worker if worker else options.out
    try:
        say(f"report: {write_report(report, out)}")
    except OSError as exc:
        say(f"error: {out}: {exc.strerror or exc}")
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) and not run.plain_failed:
        failed = exit_code(report, options.fail_on)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED if failed else pytest.ExitCode.OK


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_RUN, None)
    if run is not None:
        run.close()


@pytest.fixture(scope="session")
def conformance_options(pytestconfig: pytest.Config) -> RunOptions:
    """The run's options (``--rc-*``, their environment variables); a conftest may override the run's own."""
    return pytestconfig.stash[_RUN].options


@pytest.fixture
def cell(request: pytest.FixtureRequest) -> Cell:
    """The matrix cell (one target) the check runs against; an inapplicable check is skipped here."""
    found: Cell = request.param
    info = info_of(request.function)
    dropped = applicability(info, found) if info is not None else None
    if dropped is not None and info is not None:
        request.config.stash[_RUN].record(found, info, dropped)
        pytest.skip(f"{dropped.verdict.value}: {dropped.reason}")
    return found


@pytest.fixture
def _rc_context(
    cell: Cell, request: pytest.FixtureRequest, conformance_options: RunOptions
) -> Iterator[CheckContext]:
    try:
        resources = request.config.stash[_RUN].start(conformance_options)
    except OptionError as exc:
        pytest.exit(f"responses-conformance: {exc}", pytest.ExitCode.USAGE_ERROR)
    context = CheckContext(cell, resources, info_of(request.function))
    yield context
    context.close()


@pytest.fixture
def client(_rc_context: CheckContext) -> ResponsesClient:
    """A fresh ResponsesClient for the cell (its own evidence; the session's cleanup and secrets)."""
    return _rc_context.client()


@pytest.fixture
def judge(_rc_context: CheckContext) -> Judge:
    """A fresh Judge for the cell's profile (compat fails the check; strict-only findings → non_strict)."""
    return _rc_context.judge()


@pytest.fixture
def mcp(_rc_context: CheckContext, request: pytest.FixtureRequest) -> McpServer:
    """The MCP server the target can reach (``url``, ``headers``, ``seen``); skipped when none was given."""
    try:
        return _rc_context.mcp()
    except Skipped as exc:
        info = info_of(request.function)
        if info is not None:
            request.config.stash[_RUN].record(_rc_context.cell, info, verdict_of(exc, info, _rc_context.cell))
        pytest.skip(f"skipped: {exc}")


_RUN = pytest.StashKey[CheckSession]()
_FLAGS = (*SECRET_FLAGS, *(PREFIX + f.removeprefix("--") for f in SECRET_FLAGS))
