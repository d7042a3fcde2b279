"""The pytest plugin: run the checks under plain pytest, one test per check and cell.

``pytest --pyargs conformance.checks --rc-endpoint URL --rc-model NAME --rc-api-key KEY`` (or ``--rc-config
matrix.toml``; with neither, the embedded reference servers). Inert unless checks are collected.
Verdicts map to pytest outcomes: passed → passed; failed → failed; error → failed ("error: ...");
not_applicable, unsupported, skipped → skipped ("<verdict>: reason"); non_strict and known_issue → xfailed
(visible in ``-ra``, not a failure: the target passes the compat contract, or fails as documented).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from conformance.checks._check import MARK, McpServer, Skipped, Tier, info_of
from conformance.checks._judge import Judge
from conformance.client import ResponsesClient
from conformance.matrix import Cell, MatrixError, load_matrix, target_cell
from conformance.report.model import Verdict
from conformance.run.context import CheckContext, RunResources
from conformance.run.outcome import applicability, classify, load_known_issues


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("responses-conformance", "Responses API conformance checks")
    group.addoption("--rc-endpoint", help="Target endpoint (default: the embedded reference servers).")
    group.addoption("--rc-api-style", choices=["azure-v1", "azure-deployments", "openai"], help="URL style.")
    group.addoption("--rc-model", help="Model (on Azure: the deployment name).")
    group.addoption("--rc-region", default="", help="Region name, for the cell's identity.")
    group.addoption("--rc-api-key", help="API key (default: $AZURE_OPENAI_API_KEY or $OPENAI_API_KEY).")
    group.addoption("--rc-config", help="A matrix file (TOML) naming the cells.")
    group.addoption("--rc-profile", choices=["openai", "azure", "open-responses"], help="Judge against this profile.")
    group.addoption("--rc-tier", choices=[t.value for t in Tier], default="full", help="Which checks (default full).")
    group.addoption("--rc-mcp-url", help="A public MCP server URL the target can reach.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARK}(id, level, tier): a Responses API conformance check")
    session = config.stash[_SESSION] = _Session(config)
    if config.getoption("rc_config") or config.getoption("rc_endpoint"):
        session.cells()  # a bad matrix file or target is a usage error at once (the embedded one starts lazily)


def pytest_sessionfinish(session: pytest.Session) -> None:
    left = session.config.stash[_SESSION].resources.cleanup()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for line in left:
        if reporter is not None:
            reporter.write_line(f"responses-conformance: not cleaned up: {line}")


def pytest_unconfigure(config: pytest.Config) -> None:
    config.stash[_SESSION].close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if info_of(metafunc.function) is None or "cell" not in metafunc.fixturenames:
        return
    cells = metafunc.config.stash[_SESSION].cells()
    metafunc.parametrize("cell", cells, ids=[c.id for c in cells], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tier = Tier(config.getoption("rc_tier"))
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        info = info_of(getattr(item, "function", None))
        if info is not None:
            item.add_marker(pytest.mark.conformance_check(info.id, info.level.value, info.tier.value))
        (dropped if info is not None and not tier.includes(info.tier) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    info = info_of(getattr(item, "function", None))
    funcargs: dict[str, Any] = getattr(item, "funcargs", {})
    cell = funcargs.get("cell")
    if info is None or not isinstance(cell, Cell):
        return (yield)
    try:
        result = yield
    except (pytest.skip.Exception, pytest.xfail.Exception, pytest.fail.Exception, pytest.exit.Exception):
        raise
    except AssertionError as exc:
        outcome = classify(exc, info, cell, (), load_known_issues())
        if outcome.verdict is Verdict.known_issue:
            pytest.xfail(f"known_issue: {outcome.reason} ({outcome.link})")
        raise
    except Exception as exc:
        outcome = classify(exc, info, cell)
        _report(outcome.verdict, outcome.reason)
        raise
    judge = funcargs.get("judge")
    if isinstance(judge, Judge) and judge.strict_only:
        _report(Verdict.non_strict, str(judge.strict_only[0]))
    return result


def _report(verdict: Verdict, reason: str) -> None:
    """Turn a verdict other than passed / failed into the pytest outcome the module docstring names."""
    if verdict in (Verdict.not_applicable, Verdict.unsupported, Verdict.skipped):
        pytest.skip(f"{verdict.value}: {reason}")
    if verdict in (Verdict.non_strict, Verdict.known_issue):
        pytest.xfail(f"{verdict.value}: {reason}")
    if verdict is Verdict.error:
        pytest.fail(f"error: {reason}", pytrace=False)


@pytest.fixture
def cell(request: pytest.FixtureRequest) -> Cell:
    """The matrix cell (one target) the check runs against; an inapplicable check is skipped here."""
    found: Cell = request.param
    info = info_of(request.function)
    dropped = applicability(info, found) if info is not None else None
    if dropped is not None:
        pytest.skip(f"{dropped.verdict.value}: {dropped.reason}")
    return found


@pytest.fixture
def _rc_context(cell: Cell, request: pytest.FixtureRequest) -> Iterator[CheckContext]:
    context = CheckContext(cell, request.config.stash[_SESSION].resources)
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
def mcp(_rc_context: CheckContext) -> McpServer:
    """The MCP server the target can reach (``url``, ``headers``, ``seen``); skipped when none was given."""
    try:
        return _rc_context.mcp()
    except Skipped as exc:
        pytest.skip(f"skipped: {exc}")


class _Session:
    """The session's cells (built on first use) and shared resources; ``close()`` cleans up."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.resources = RunResources()
        self._cells: list[Cell] | None = None
        self._stack = ExitStack()

    def cells(self) -> list[Cell]:
        if self._cells is None:
            self._cells = self._build()
        return self._cells

    def _build(self) -> list[Cell]:
        option = self.config.getoption
        try:
            if option("rc_config"):
                cells = load_matrix(option("rc_config"))
            elif option("rc_endpoint"):
                key = option("rc_api_key") or os.environ.get("AZURE_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY")
                cells = [target_cell(endpoint=option("rc_endpoint"), api_style=option("rc_api_style"),
                                     model=option("rc_model") or "", region=option("rc_region"), api_key=key)]
            else:
                from conformance.run.embedded import embedded_targets

                run = self._stack.enter_context(embedded_targets())
                self.resources.mcp_seen[run.mcp_url] = run.mcp_seen
                cells = run.cells
        except MatrixError as exc:
            raise pytest.UsageError(f"responses-conformance: {exc}") from None
        changes: dict[str, Any] = {}
        if option("rc_profile"):
            changes["profile"] = option("rc_profile")
        if option("rc_mcp_url"):
            changes["mcp_url"] = option("rc_mcp_url")
        return [dataclasses.replace(c, **changes) for c in cells]

    def close(self) -> None:
        self.resources.close()
        self._stack.close()


_SESSION = pytest.StashKey[_Session]()
