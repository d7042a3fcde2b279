"""Benchmark of ``run``'s concurrency: a 42-cell matrix at tier full vs one cell with the same settings
(goal: at most 3 x the wall time of one cell), and where the CPU goes.

    python benchmarks/bench_matrix.py [--tier smoke|core|full] [--cells 42] [--latency 100ms] [--servers 2]
                                      [--concurrency N] [--think-time 1]

After a warm-up run, each phase gets fresh reference servers in child processes (``--servers`` of them, cells spread over them);
the CPU of the suite process is ``getrusage(RUSAGE_SELF)``, the servers' is ``RUSAGE_CHILDREN`` once they
are stopped and reaped. Also printed: the longest check and the time the fuzz checks spent (their hypothesis
hunts run one at a time across all cells). Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import resource
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack

from conformance.checks import Tier
from conformance.matrix import Cell, Credential
from conformance.reference.config import ServerConfig
from conformance.reference.faults import parse_fault
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server_processes
from conformance.report.model import Report
from conformance.run.embedded import REFERENCE_CAPABILITIES, REFERENCE_MODEL
from conformance.run.runner import DEFAULT_CONCURRENCY, run_suite

KEY = "bench-key"


@dataclasses.dataclass
class Phase:
    cells: int
    wall: float
    suite_cpu: float
    server_cpu: float
    report: Report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="full", choices=[t.value for t in Tier])
    parser.add_argument("--cells", type=int, default=42)
    parser.add_argument("--latency", default="100ms")
    parser.add_argument("--servers", type=int, default=2,
                        help="reference server processes per phase (one serving 42 cells x 8 checks is overloaded)")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--think-time", type=float, default=1.0,
                        help="seconds a background job runs (longer than a request, so cancels find it running)")
    args = parser.parse_args()
    logging.getLogger("asyncio").setLevel(logging.ERROR)  # clients that stop reading streams are no news
    _phase(1, args, Tier.smoke)  # warm-up: imports, compiled schemas; not measured
    one = _phase(1, args, Tier(args.tier))
    many = _phase(args.cells, args, Tier(args.tier))
    print(f"tier {args.tier}, latency {args.latency}/request, concurrency {args.concurrency}, "
          f"{args.servers} server process(es), jobs = cells")
    for phase in (one, many):
        _show(phase)
    print(f"ratio: {many.wall / one.wall:.2f} x one cell (goal <= 3 x)")
    print(f"verdicts ({args.cells} cells): { {k: v for k, v in many.report.summary['verdicts'].items() if v} }")
    bad = Counter((r.check, r.verdict.value, r.reason[:100]) for c in many.report.cells for r in c.results
                  if r.verdict.value in ("failed", "error"))
    for (check, verdict, reason), count in bad.most_common():
        print(f"  {count:3d} x {verdict} {check}: {reason}")


def _phase(count: int, args: argparse.Namespace, tier: Tier) -> Phase:
    """Fresh servers, ``count`` cells over them, one run; wall time and CPU of suite and servers."""
    config = ServerConfig(flavor="openai", api_key=KEY, think_time=args.think_time,
                          faults=[parse_fault(f"latency={args.latency}")])
    suite_before = _cpu(resource.RUSAGE_SELF)
    servers_before = _cpu(resource.RUSAGE_CHILDREN)
    with ExitStack() as stack:
        mcp = start_mcp_server()
        stack.callback(mcp.stop)
        servers = start_server_processes([config] * min(args.servers, count))
        for server in servers:
            stack.callback(server.stop)
        cells = _cells(count, [s.url for s in servers], mcp.url)
        started = time.monotonic()
        report = run_suite(cells, tier=tier, jobs=len(cells), concurrency=args.concurrency,
                           mcp_seen={mcp.url: mcp.headers_seen})
        wall = time.monotonic() - started
    suite = _cpu(resource.RUSAGE_SELF) - suite_before
    return Phase(count, wall, suite, _cpu(resource.RUSAGE_CHILDREN) - servers_before, report)


def _cells(count: int, urls: Sequence[str], mcp_url: str) -> list[Cell]:
    base = Cell(
        provider="reference", region="bench-00", deployment=REFERENCE_MODEL, model=REFERENCE_MODEL,
        model_version="", api_style="openai", api_version="", endpoint="", profile="openai",
        capabilities=REFERENCE_CAPABILITIES, credential=Credential("bearer", KEY), mcp_url=mcp_url,
    )
    return [dataclasses.replace(base, region=f"bench-{i:02d}", endpoint=f"{urls[i % len(urls)]}/v1")
            for i in range(count)]


def _show(phase: Phase) -> None:
    results = [r for c in phase.report.cells for r in c.results]
    longest = max(results, key=lambda r: r.duration_s)
    fuzz = sum(r.duration_s for r in results if r.check.startswith("fuzz."))
    checks = len(phase.report.cells[0].results)
    print(f"{phase.cells:2d} cell(s): {phase.wall:7.1f} s wall ({checks} checks a cell, "
          f"{sum(r.requests for r in results)} requests); longest check {longest.duration_s:.1f} s "
          f"({longest.check}); fuzz checks {fuzz:.1f} s in all")
    print(f"          CPU: suite process {phase.suite_cpu:6.1f} s, server processes {phase.server_cpu:6.1f} s "
          f"({phase.suite_cpu / phase.wall:.2f} + {phase.server_cpu / phase.wall:.2f} cores busy on average)")


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
