"""Run the suite: every selected check in every cell, cells concurrently, into one Report.

Cells run in a thread pool of ``jobs`` workers; the checks of a cell run ``concurrency`` at a time
(exclusive ones first, each alone in its cell), and a cell's results are kept in ID order.
Spending the budget or Ctrl-C stops the run and gives a partial report; cleanup always runs.
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from conformance.__about__ import __version__
from conformance.checks import CheckInfo, ContractViolation, HarnessError, McpLog, Tier, info_of, registry
from conformance.client import Budget, BudgetExhausted, Secrets, TargetUnreachable
from conformance.matrix import Cell
from conformance.report.model import CellResult, CheckResult, Report, Verdict
from conformance.run.context import CheckContext, CheckScope, RunResources, TransportFactory
from conformance.run.outcome import (
    INTERRUPTED,
    PREFLIGHT,
    KnownIssue,
    Outcome,
    applicability,
    check_result,
    load_known_issues,
    one_line,
    stop_reason,
    verdict_of,
)

CheckFunction = Callable[..., Any]
Progress = Callable[[Cell, CheckResult, int], None]
"""Called after each check with the cell, the result and the number of checks the cell has."""
DEFAULT_CONCURRENCY = 16
"""Checks in flight per cell. At 1-3 s a request that is 5-16 requests/s (300-960 a minute): what a Standard
Azure deployment of 100K TPM or more admits (6 requests/min per 1000 TPM). A cell at 1 s a request then takes
~21 s, 1.8 x its longest check, instead of ~170 s one check after another (benchmarks/bench_cell.py; at 8
in flight 34 s, 3.4 x). A 429 slows the cell down (the shared cool-down) instead of failing it; a smaller
deployment sets ``concurrency`` in the matrix file or ``--concurrency``."""


ENTRY_POINTS = "responses_conformance.checks"
"""The entry point group of installed plugins' check modules (``module`` or ``module:attribute``)."""


class CheckLoadError(ValueError):
    """A module of user checks cannot be loaded (not found, or its import failed); the message is one line."""


def load_checks(extra: Sequence[str] = ()) -> list[CheckFunction]:
    """Import the suite's check modules (``conformance/checks/test_*.py``), the modules of installed plugins
    (entry point group ``responses_conformance.checks``) and the ``extra`` modules (``--checks-from``: on
    ``sys.path`` or in the current directory); return every registered check function. Raises CheckLoadError
    naming the module that failed."""
    import os
    import sys
    from importlib.metadata import entry_points

    import conformance.checks as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("test_"):
            importlib.import_module(f"{package.__name__}.{module.name}")
    for point in entry_points(group=ENTRY_POINTS):
        _load(f"entry point {point.name} ({point.value})", point.load)
    if extra and not {"", os.getcwd()} & set(sys.path):
        sys.path.append(os.getcwd())  # as ``python -m`` would: a console script does not look there
    for name in extra:
        _load(f"--checks-from {name}", importlib.import_module, name)
    return [_function(info) for info in registry().values()]


def _load(what: str, load: Callable[..., object], *args: str) -> None:
    try:
        load(*args)
    except ModuleNotFoundError as exc:
        raise CheckLoadError(f"{what}: no module named {exc.name!r}") from None
    except Exception as exc:  # a plugin's import error is the user's to see, in one line
        raise CheckLoadError(f"{what}: {type(exc).__name__}: {one_line(str(exc))}") from None


def select(
    checks: Iterable[CheckFunction], tier: Tier = Tier.full, only: Sequence[str] = ()
) -> list[tuple[CheckInfo, CheckFunction]]:
    """The checks of the tier whose IDs match one of the ``only`` globs (all when none), in ID order."""
    chosen = []
    for function in checks:
        info = info_of(function)
        if info is None:
            raise ValueError(f"{function!r} is not a registered check")
        if picked(info, tier, only):
            chosen.append((info, function))
    return sorted(chosen, key=lambda pair: pair[0].id)


def picked(info: CheckInfo, tier: Tier = Tier.full, only: Sequence[str] = ()) -> bool:
    """Whether the check is of the tier and its ID matches one of the ``only`` globs (any when none)."""
    return tier.includes(info.tier) and (not only or any(fnmatch.fnmatchcase(info.id, g) for g in only))


def run_suite(
    cells: Sequence[Cell],
    *,
    tier: Tier = Tier.full,
    only: Sequence[str] = (),
    checks_from: Sequence[str] = (),
    jobs: int = 4,
    concurrency: int | None = None,
    budget: Budget | None = None,
    secrets: Secrets | None = None,
    progress: Progress | None = None,
    transport_factory: TransportFactory | None = None,
    check_scope: CheckScope | None = None,
    checks: Iterable[CheckFunction] | None = None,
    known_issues: Iterable[KnownIssue] | None = None,
    mcp_seen: Mapping[str, McpLog] | None = None,
    command: Sequence[str] = (),
    preflight: bool = False,
) -> Report:
    """Judge every selected check in every cell; never raises for what a check or the target does.

    With ``preflight``, a live cell whose target cannot be reached or refuses its credentials is diagnosed
    once: its checks get that one reason (``error``) and are not run.

    The checks are ``checks``, else the suite's, the installed plugins' and the ``checks_from`` modules'
    (``load_checks``: CheckLoadError when one cannot be imported).

    ``concurrency`` checks of a cell run at a time: when None, the cell's own ``concurrency`` (matrix file),
    else ``DEFAULT_CONCURRENCY``.
    """
    selected = select(load_checks(checks_from) if checks is None else checks, tier, only)
    resources = RunResources(
        budget=budget,
        secrets=secrets or Secrets(),
        transport_factory=transport_factory,
        check_scope=check_scope,
        mcp_seen=dict(mcp_seen or {}),
    )
    for cell in cells:
        resources.secrets.add(*cell.secrets())
    state = _RunState(list(load_known_issues() if known_issues is None else known_issues))
    started = now()
    results = {cell.id: CellResult(cell.identity()) for cell in cells}
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="cell")
    try:
        futures = [
            pool.submit(
                _run_cell, cell, selected, resources, state, results[cell.id], progress,
                concurrency or cell.concurrency or DEFAULT_CONCURRENCY, preflight,
            )
            for cell in cells
        ]
        for future in futures:
            future.result()
    except KeyboardInterrupt:
        state.stop(INTERRUPTED)
    except Exception as exc:  # a bug in the runner itself: still a (partial) report
        state.stop(f"harness error: {type(exc).__name__}: {one_line(str(exc))}")
    finally:
        state.stopping.set()
        pool.shutdown(wait=True, cancel_futures=True)
        state.cleanup_failures += resources.cleanup()  # what a cell's own cleanup could not reach
        resources.close()
    infos = [info for info, _ in selected]
    return new_report(
        cells, results, {cell.id: infos for cell in cells}, started=started, command=command,
        secrets=resources.secrets, cleanup_failures=state.cleanup_failures, partial_reason=state.reason,
    )


def new_report(
    cells: Sequence[Cell],
    results: Mapping[str, CellResult],
    selected: Mapping[str, Sequence[CheckInfo]],
    *,
    started: str,
    command: Sequence[str] = (),
    secrets: Secrets | None = None,
    cleanup_failures: Sequence[str] = (),
    partial_reason: str | None = None,
) -> Report:
    """The report of a run: each cell's results (its ``selected`` checks never judged get an error verdict),
    the command scrubbed of ``secrets``, and the catalogue of the checks; partial when a reason is given."""
    catalogue: dict[str, dict[str, str]] = {}
    for cell in cells:
        _fill(results[cell.id], selected.get(cell.id, ()), partial_reason or "not run")
        catalogue.update({info.id: _catalogue(info) for info in selected.get(cell.id, ())})
    return Report(
        tool_version=__version__,
        started_at=started,
        finished_at=now(),
        mode=_mode(cells),
        command=[secrets.scrub(arg) for arg in command] if secrets is not None else list(command),
        cells=[results[cell.id] for cell in cells],
        cleanup_failures=list(cleanup_failures),
        partial=partial_reason is not None,
        partial_reason=partial_reason or "",
        checks=dict(sorted(catalogue.items())),
    )


class _RunState:
    """What all cell workers share: the stop flag and why, and the known issues."""

    def __init__(self, known_issues: list[KnownIssue]) -> None:
        self.known_issues = known_issues
        self.stopping = threading.Event()
        self.reason: str | None = None
        self.cleanup_failures: list[str] = []
        self._lock = threading.Lock()

    def stop(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
        self.stopping.set()


class _Gate:
    """Readers-writer gate of a cell: any number of checks share it, an exclusive one holds it alone.

    A waiting exclusive check lets no new check in, so it never waits for more than the running ones.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._shared = 0
        self._alone = False
        self._waiting = 0  # exclusive checks waiting for the gate

    @contextmanager
    def hold(self, exclusive: bool) -> Iterator[None]:
        with self._changed:
            if exclusive:
                self._waiting += 1
                self._changed.wait_for(lambda: not self._alone and self._shared == 0)
                self._waiting -= 1
                self._alone = True
            else:
                self._changed.wait_for(lambda: not self._alone and self._waiting == 0)
                self._shared += 1
        try:
            yield
        finally:
            with self._changed:
                if exclusive:
                    self._alone = False
                else:
                    self._shared -= 1
                self._changed.notify_all()


def _run_cell(
    cell: Cell,
    selected: list[tuple[CheckInfo, CheckFunction]],
    resources: RunResources,
    state: _RunState,
    into: CellResult,
    progress: Progress | None,
    concurrency: int = 1,
    check_first: bool = False,
) -> None:
    """Judge the cell's checks, ``concurrency`` at a time; exclusive ones first, each alone. A live cell
    whose target cannot be reached or refuses its credentials is diagnosed once (``preflight``) instead."""
    refused = preflight(cell, resources) if check_first else None
    if refused is not None:
        cause, evidence = refused
        failed = Outcome(Verdict.error, f"{PREFLIGHT}: {cause}")
        into.results += [check_result(info, applicability(info, cell) or failed, evidence=evidence)
                         for info, _ in selected]
        into.results.sort(key=lambda result: result.check)
        return
    gate = _Gate()
    collected = threading.Lock()

    def judge(info: CheckInfo, function: CheckFunction) -> None:
        try:
            if state.stopping.is_set():  # not started: no need to wait for the gate
                result = _next_result(info, function, cell, resources, state)
            else:
                with gate.hold(info.exclusive):
                    result = _next_result(info, function, cell, resources, state)
            with collected:
                into.results.append(result)
            if progress is not None:
                try:
                    progress(cell, result, len(selected))
                except Exception:  # a display problem never stops the run
                    pass
        except KeyboardInterrupt:
            state.stop(INTERRUPTED)
            raise

    queue = sorted(selected, key=lambda pair: not pair[0].exclusive)  # stable: ID order within each group
    try:
        if concurrency <= 1 or len(queue) <= 1:
            for info, function in queue:
                judge(info, function)
        else:
            pool = ThreadPoolExecutor(max_workers=min(concurrency, len(queue)), thread_name_prefix="check")
            try:
                for future in [pool.submit(judge, info, function) for info, function in queue]:
                    future.result()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:  # each cell cleans up after itself, concurrently with the other cells
        with collected:
            into.results.sort(key=lambda result: result.check)
        state.cleanup_failures += resources.cleanup(cell, workers=concurrency)


PREFLIGHT_ID = "resp_conformance_preflight"  # an id no server holds: a GET of it costs no token


def preflight(cell: Cell, resources: RunResources) -> tuple[str, list[dict[str, Any]]] | None:
    """Why a live cell cannot be judged at all (its target is unreachable or refuses its credentials), with
    the exchange that shows it; None when the target answers (any other status, 404 expected)."""
    if cell.mode != "live":
        return None
    context = CheckContext(cell, resources)
    cause: str | None = None
    try:
        answer = context.client().raw("GET", f"/responses/{PREFLIGHT_ID}")
        if answer.status_code in (401, 403):
            cause = f"the target refuses the credentials ({answer.status_code} {one_line(answer.text, 160)})"
    except BudgetExhausted:
        return None  # the checks say so, each
    except HarnessError as exc:
        cause = f"the target cannot be reached ({one_line(str(exc))})"
    finally:
        context.close()
    return (resources.secrets.scrub(cause), context.evidence()) if cause else None


def _not_run(info: CheckInfo, reason: str | None) -> CheckResult:
    """A check the run never started: skipped when the run was interrupted, else an error saying why."""
    if reason == INTERRUPTED:
        return check_result(info, Outcome(Verdict.skipped, f"not run: {INTERRUPTED}"))
    return check_result(info, Outcome(Verdict.error, reason or "run stopped"))


def _next_result(
    info: CheckInfo, function: CheckFunction, cell: Cell, resources: RunResources, state: _RunState
) -> CheckResult:
    if state.stopping.is_set():
        return _not_run(info, state.reason)
    try:
        return _run_check(info, function, cell, resources, state)
    except KeyboardInterrupt as exc:
        state.stop(INTERRUPTED)
        return check_result(info, verdict_of(exc, info, cell))


def _run_check(
    info: CheckInfo, function: CheckFunction, cell: Cell, resources: RunResources, state: _RunState
) -> CheckResult:
    dropped = applicability(info, cell)
    if dropped is not None:
        return check_result(info, dropped)
    start = time.monotonic()
    error, context = _attempt(info, function, cell, resources)
    evidence = context.evidence()
    note = ""
    if isinstance(error, TargetUnreachable) and cell.mode == "live":  # a transport fault: once more
        first = one_line(str(error))
        error, context = _attempt(info, function, cell, resources)
        evidence += context.evidence()  # both attempts are in the wire log
        note = f" (retried once after a transport fault: {first})"
        if isinstance(error, TargetUnreachable):
            note = " (again on retry)"
            if _broken_transfer(str(error)):
                error = ContractViolation("transport broken, reproduced on retry: the target cut the connection "
                                          "while it answered", actual=one_line(str(error)))
    duration = time.monotonic() - start
    reason = stop_reason(error)
    if reason is not None:
        state.stop(reason)
    findings = context.findings()
    outcome = context.annotated(verdict_of(error, info, cell, context.strict_only(), state.known_issues, findings))
    if note:
        outcome = Outcome(outcome.verdict, (outcome.reason + note).strip(), outcome.link)
    return check_result(info, outcome, duration, evidence, resources.secrets, findings)


BROKEN_TRANSFER = ("ReadError", "RemoteProtocolError", "peer closed connection", "incomplete chunked read")
"""What a transport fault says when the target answered and then cut the connection (not: was never reached)."""


def _broken_transfer(message: str) -> bool:
    return any(word in message for word in BROKEN_TRANSFER)


def _attempt(
    info: CheckInfo, function: CheckFunction, cell: Cell, resources: RunResources
) -> tuple[BaseException | None, CheckContext]:
    """Run the check body once in a fresh context: what it raised (None when it returned) and the context."""
    context = CheckContext(cell, resources, info)
    error: BaseException | None = None
    try:
        with resources.scope(cell, info.id):
            function(**context.arguments(function))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # any outcome of a check body becomes a verdict
        error = exc
    finally:
        context.close()
    return error, context


def _catalogue(info: CheckInfo) -> dict[str, str]:
    return {"sentence": info.sentence, "spec": info.spec, "tier": info.tier.value, "since": info.since}


def _fill(into: CellResult, selected: Iterable[CheckInfo], reason: str) -> None:
    """Checks never started get a verdict (skipped when interrupted, else error); the results stay in ID order."""
    done = {r.check for r in into.results}
    for info in selected:
        if info.id not in done:
            into.results.append(_not_run(info, reason))
    into.results.sort(key=lambda result: result.check)


def _function(info: CheckInfo) -> CheckFunction:
    module, _, name = info.function.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    assert callable(found)
    return found  # type: ignore[no-any-return]


def _mode(cells: Sequence[Cell]) -> str:
    modes = sorted({cell.mode for cell in cells})
    return modes[0] if len(modes) == 1 else "mixed"


def now() -> str:
    """The current UTC time as the report writes it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
