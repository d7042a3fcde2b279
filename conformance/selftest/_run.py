"""Run each violation's expected checks against a reference server committing it, each legal variation's
checks against a reference server showing it, and the faithful run they are compared with."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from conformance.checks import McpLog
from conformance.matrix import Cell
from conformance.reference.config import ServerConfig, new_api_key
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server
from conformance.reference.variations import VARIATIONS, unknown_variations
from conformance.reference.violations import VIOLATIONS, unknown_violations
from conformance.report.model import Report
from conformance.run.embedded import quiet_logger, reference_cell
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


Verdicts = dict[str, dict[str, str]]
"""Verdicts by flavour, then by check ID."""
_PASSING = frozenset({"passed", "non_strict"})


@dataclass(frozen=True)
class FaithfulResult:
    """The selected checks against faithful servers of both flavours: verdict counts, every ``failed`` one,
    and each verdict (by flavour, then check) for the legal variations to be compared with."""

    checks: tuple[str, ...]
    counts: dict[str, int]
    failed: tuple[str, ...]
    verdicts: Verdicts = field(default_factory=dict)


@dataclass(frozen=True)
class VariationResult:
    """One legal variation: the checks it can affect, their verdicts against a server showing it and against
    the faithful server, by flavour. ``strict_differs``: ``passed`` and ``non_strict`` count as the same.
    ``reasons`` holds the one-line reason of each verdict against the varied server."""

    name: str
    description: str
    flavors: tuple[str, ...]
    verdicts: Verdicts
    faithful: Verdicts
    strict_differs: bool = False
    reasons: Verdicts = field(default_factory=dict)

    @property
    def checks(self) -> tuple[str, ...]:
        return tuple(sorted({c for by_check in self.verdicts.values() for c in by_check}))

    @property
    def changed(self) -> tuple[str, ...]:
        """``flavour check: faithful -> varied`` for each verdict the variation changed."""
        out = []
        for flavor, by_check in sorted(self.verdicts.items()):
            for check, verdict in sorted(by_check.items()):
                before = self.faithful.get(flavor, {}).get(check, "not judged")
                same = before == verdict or (self.strict_differs and {before, verdict} <= _PASSING)
                if not same:
                    reason = self.reasons.get(flavor, {}).get(check)
                    out.append(
                        f"{flavor} {check}: {before} -> {verdict}" + (f" ({reason})" if reason else "")
                    )
        return tuple(out)

    @property
    def passed(self) -> bool:
        return not self.changed


Result = MutantResult | VariationResult


@dataclass(frozen=True)
class SelftestResult:
    """The outcome of a self-test: one result per violation and per legal variation, and the faithful run.

    ``pending`` names the legal variations the current checks cannot accept yet, with the reason.
    """

    mutants: tuple[MutantResult, ...]
    faithful: FaithfulResult
    duration_s: float
    variations: tuple[VariationResult, ...] = ()
    pending: tuple[tuple[str, str], ...] = ()

    @property
    def survivors(self) -> tuple[str, ...]:
        """The violations none of whose expected checks failed."""
        return tuple(m.name for m in self.mutants if not m.caught)

    @property
    def broken(self) -> tuple[str, ...]:
        """The legal variations that changed a verdict of the faithful server."""
        return tuple(v.name for v in self.variations if not v.passed)

    @property
    def ok(self) -> bool:
        return not self.survivors and not self.faithful.failed and not self.broken


@contextmanager
def _cells(
    flavors: Sequence[str], violations: tuple[str, ...] = (), variations: tuple[str, ...] = ()
) -> Iterator[tuple[list[Cell], dict[str, McpLog]]]:
    """Reference servers of ``flavors`` committing ``violations`` and showing ``variations``, with their own
    MCP server: cells and MCP log."""
    with ExitStack() as stack:
        token = new_api_key()
        mcp = start_mcp_server(require_header=("Authorization", f"Bearer {token}"))
        stack.callback(mcp.stop)
        cells = []
        for flavor in flavors:
            key = new_api_key()
            config = ServerConfig(
                flavor=flavor,  # type: ignore[arg-type]
                api_key=key,
                think_time=_THINK_TIME,
                keepalive_interval=_KEEPALIVE,
                violations=violations,
                variations=variations,
            )
            handle = start_server(config)
            stack.callback(handle.stop)
            cells.append(reference_cell(flavor, handle.url, key, mcp.url, token))
        yield cells, {mcp.url: mcp.log}


def _run(
    flavors: Sequence[str],
    only: Sequence[str],
    violations: tuple[str, ...] = (),
    variations: tuple[str, ...] = (),
) -> Report:
    with _cells(flavors, violations, variations) as (cells, mcp_seen):
        return run_suite(cells, only=only, jobs=len(cells), mcp_seen=mcp_seen)


def _verdicts(report: Report, reasons: bool = False) -> Verdicts:
    """Each check's verdict (or its reason) by its cell's profile (the reference server's flavour)."""
    return {
        cell.identity["profile"]: {r.check: r.reason if reasons else r.verdict.value for r in cell.results}
        for cell in report.cells
    }


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
    checks = tuple(sorted({r.check for _, r in results}))
    return FaithfulResult(checks, dict(sorted(counts.items())), failed, _verdicts(report))


def _varied(name: str, every_check: bool) -> tuple[Verdicts, Verdicts]:
    """The verdicts and reasons of the checks the variation can affect (of every check) against servers
    showing it."""
    found = VARIATIONS[name]
    report = _run(found.flavors, () if every_check else found.affects, variations=(name,))
    return _verdicts(report), _verdicts(report, reasons=True)


def _judged(name: str, varied: tuple[Verdicts, Verdicts], faithful: FaithfulResult) -> VariationResult:
    found = VARIATIONS[name]
    verdicts, reasons = varied
    return VariationResult(
        name, found.description, found.flavors, verdicts, faithful.verdicts, found.strict_differs, reasons
    )


def _chosen(names: Sequence[str], catalogue: str) -> tuple[list[str], list[str]]:
    """The violations and legal variations to judge: the named ones, else all (pending variations aside)."""
    unknown = [n for n in unknown_violations(list(names)) if n in unknown_variations(list(names))]
    if unknown:
        raise ValueError(f"unknown violation(s) or legal variation(s): {', '.join(unknown)}")
    if names:
        return sorted({n for n in names if n in VIOLATIONS}), sorted({n for n in names if n in VARIATIONS})
    mutants = sorted(VIOLATIONS) if catalogue in ("both", "violations") else []
    varied = (
        sorted(n for n, v in VARIATIONS.items() if v.pending is None)
        if catalogue in ("both", "variations")
        else []
    )
    return mutants, varied


def run_selftest(
    names: Sequence[str] = (),
    jobs: int = 4,
    progress: Callable[[Result], None] | None = None,
    *,
    catalogue: str = "both",
    sweep: bool = False,
) -> SelftestResult:
    """Judge the named violations and legal variations (all of ``catalogue`` when none: ``both``,
    ``violations`` or ``variations``) and the faithful servers on the same checks.

    Each violation is judged on its expected checks, each variation on the checks it can affect (on every
    check with ``sweep``). The faithful servers judge every check, unless names or only variations were
    asked for: then the checks those need. Servers run ``jobs`` at a time; an unknown name raises ValueError.
    """
    mutants, varied = _chosen(names, catalogue)
    needed = {c for n in mutants for c in VIOLATIONS[n].caught_by} | {
        g for n in varied for g in VARIATIONS[n].affects
    }
    only = [] if sweep or (not names and catalogue != "variations") else sorted(needed)
    started = time.monotonic()
    # a client that stops reading a stream (resume checks) is no news
    with quiet_logger("asyncio"), ThreadPoolExecutor(max_workers=jobs) as pool:
        faithful_run = pool.submit(_faithful, only)
        pending: dict[Future[Any], tuple[str, str]] = {
            pool.submit(_mutant, n): ("violation", n) for n in mutants
        }
        pending.update({pool.submit(_varied, n, sweep): ("variation", n) for n in varied})
        results: list[Result] = []
        waiting: list[tuple[str, tuple[Verdicts, Verdicts]]] = []
        for done in as_completed([*pending, faithful_run]):
            if done is faithful_run:
                ready = [_judged(n, v, faithful_run.result()) for n, v in waiting]
            elif pending[done][0] == "violation":
                ready = [done.result()]
            elif faithful_run.done():
                ready = [_judged(pending[done][1], done.result(), faithful_run.result())]
            else:
                waiting.append((pending[done][1], done.result()))
                ready = []
            for result in ready:
                results.append(result)
                if progress is not None:
                    progress(result)
        faithful = faithful_run.result()
    return SelftestResult(
        tuple(sorted((r for r in results if isinstance(r, MutantResult)), key=lambda m: m.name)),
        faithful,
        round(time.monotonic() - started, 1),
        tuple(sorted((r for r in results if isinstance(r, VariationResult)), key=lambda v: v.name)),
        tuple(
            (n, v.pending) for n, v in sorted(VARIATIONS.items()) if v.pending is not None and n not in varied
        ),
    )
