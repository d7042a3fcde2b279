"""Run each violation's expected checks against a reference server committing it, and the faithful run."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from conformance.matrix import Cell
from conformance.reference.config import ServerConfig, new_api_key
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server
from conformance.reference.violations import VIOLATIONS, unknown_violations
from conformance.report.model import Report
from conformance.run.embedded import reference_cell
from conformance.run.runner import run_suite

FLAVORS = ("azure", "openai")
_THINK_TIME = 0.25  # seconds a background response takes: short, as in the suite's own tests
_KEEPALIVE = 0.05


@dataclass(frozen=True)
class MutantResult:
    """One violation: what it imitates, the checks expected to catch it and their verdicts against it."""

    name: str
    description: str
    flavor: str
    expected: tuple[str, ...]
    verdicts: dict[str, str]

    @property
    def caught_by(self) -> tuple[str, ...]:
        """The expected checks that failed against the violating server."""
        return tuple(c for c in self.expected if self.verdicts.get(c) == "failed")

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


@dataclass(frozen=True)
class FaithfulResult:
    """The selected checks against faithful servers of both flavours: verdict counts and every ``failed`` one."""

    checks: tuple[str, ...]
    counts: dict[str, int]
    failed: tuple[str, ...]


@dataclass(frozen=True)
class SelftestResult:
    """The outcome of a self-test: one result per violation and the faithful run."""

    mutants: tuple[MutantResult, ...]
    faithful: FaithfulResult
    duration_s: float

    @property
    def survivors(self) -> tuple[str, ...]:
        """The violations none of whose expected checks failed."""
        return tuple(m.name for m in self.mutants if not m.caught)

    @property
    def ok(self) -> bool:
        return not self.survivors and not self.faithful.failed


@contextmanager
def _cells(flavors: Sequence[str], violations: tuple[str, ...] = ()) -> Iterator[tuple[list[Cell], dict[str, list[dict[str, str]]]]]:
    """Reference servers of ``flavors`` committing ``violations``, with their own MCP server: cells and MCP log."""
    with ExitStack() as stack:
        token = new_api_key()
        mcp = start_mcp_server(require_header=("Authorization", f"Bearer {token}"))
        stack.callback(mcp.stop)
        cells = []
        for flavor in flavors:
            key = new_api_key()
            config = ServerConfig(
                flavor=flavor,  # type: ignore[arg-type]
                api_key=key, think_time=_THINK_TIME, keepalive_interval=_KEEPALIVE, violations=violations,
            )
            handle = start_server(config)
            stack.callback(handle.stop)
            cells.append(reference_cell(flavor, handle.url, key, mcp.url, token))
        yield cells, {mcp.url: mcp.headers_seen}


def _run(flavors: Sequence[str], only: Sequence[str], violations: tuple[str, ...] = ()) -> Report:
    with _cells(flavors, violations) as (cells, mcp_seen):
        return run_suite(cells, only=only, jobs=len(cells), mcp_seen=mcp_seen)


def _mutant(name: str) -> MutantResult:
    brk = VIOLATIONS[name]
    report = _run([brk.flavor], brk.caught_by, (name,))
    verdicts = {r.check: r.verdict.value for r in report.cells[0].results}
    return MutantResult(name, brk.description, brk.flavor, brk.caught_by, verdicts)


def _faithful(only: Sequence[str]) -> FaithfulResult:
    report = _run(FLAVORS, only)
    results = [(cell.id, r) for cell in report.cells for r in cell.results]
    failed = tuple(f"{cell} {r.check}: {r.reason}" for cell, r in results if r.verdict.value == "failed")
    counts = Counter(r.verdict.value for _, r in results)
    return FaithfulResult(tuple(sorted({r.check for _, r in results})), dict(sorted(counts.items())), failed)


def run_selftest(
    names: Sequence[str] = (), jobs: int = 4, progress: Callable[[MutantResult], None] | None = None
) -> SelftestResult:
    """Judge the named violations (all when none) and the faithful servers on the same checks (all when none named).

    Servers run concurrently, ``jobs`` at a time; an unknown name raises ValueError.
    """
    unknown = unknown_violations(list(names))
    if unknown:
        raise ValueError(f"unknown violation(s): {', '.join(unknown)}")
    chosen = sorted(set(names)) if names else sorted(VIOLATIONS)
    only = sorted({c for n in chosen for c in VIOLATIONS[n].caught_by}) if names else []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        faithful = pool.submit(_faithful, only)
        pending: dict[Future[MutantResult], str] = {pool.submit(_mutant, n): n for n in chosen}
        mutants = []
        for done in as_completed(pending):
            mutants.append(done.result())
            if progress is not None:
                progress(mutants[-1])
        return SelftestResult(
            tuple(sorted(mutants, key=lambda m: m.name)), faithful.result(), round(time.monotonic() - started, 1)
        )
