"""Benchmark of one cell against a slow deployment: the wall time of a cell vs its longest check (goal <= 2 x).

A reference server in a child process answers every request 1 s late (``--fault latency=1s``), as a real
deployment would; the cell runs at tier core with ``--concurrency`` at the runner's default. Prints the
cell's wall time, the longest single check (``duration_s`` of the report's results), their ratio and the
CPU of the suite process and of the server process. Numbers are printed, never asserted.

    python benchmarks/bench_cell.py [--latency 1s] [--concurrency N] [--tier core] [--think-time 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import resource
import time

from conformance.checks import Tier
from conformance.matrix import Cell, Credential
from conformance.reference.config import ServerConfig
from conformance.reference.faults import parse_fault
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server_process
from conformance.run.embedded import REFERENCE_CAPABILITIES, REFERENCE_MODEL
from conformance.run.runner import DEFAULT_CONCURRENCY, run_suite

KEY = "bench-key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", default="1s", help="injected latency per request")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--tier", default="core", choices=[t.value for t in Tier])
    parser.add_argument("--think-time", type=float, default=3.0,
                        help="seconds a background job runs (longer than a request, so cancels find it running)")
    args = parser.parse_args()
    logging.getLogger("asyncio").setLevel(logging.ERROR)  # clients that stop reading streams are no news
    mcp = start_mcp_server()
    config = ServerConfig(flavor="openai", api_key=KEY, think_time=args.think_time,
                          faults=[parse_fault(f"latency={args.latency}")])
    cell = Cell(
        provider="reference", region="bench", deployment=REFERENCE_MODEL, model=REFERENCE_MODEL, model_version="",
        api_style="openai", api_version="", endpoint="", profile="openai", capabilities=REFERENCE_CAPABILITIES,
        credential=Credential("bearer", KEY), mcp_url=mcp.url,
    )
    suite_before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        with start_server_process(config) as server:
            cell = dataclasses.replace(cell, endpoint=f"{server.url}/v1")
            started = time.monotonic()
            report = run_suite([cell], tier=Tier(args.tier), jobs=1, concurrency=args.concurrency,
                               mcp_seen={mcp.url: mcp.headers_seen})
            wall = time.monotonic() - started
    finally:
        mcp.stop()
    suite = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - _cpu(suite_before)
    servers = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))  # the server process, stopped and reaped
    results = report.cells[0].results
    longest = max(results, key=lambda r: r.duration_s)
    requests = sum(r.requests for r in results)
    print(f"1 cell, tier {args.tier}, latency {args.latency}/request, concurrency {args.concurrency}: "
          f"{len(results)} checks, {requests} requests")
    print(f"cell wall time: {wall:7.2f} s")
    print(f"longest check:  {longest.duration_s:7.2f} s ({longest.check})")
    print(f"ratio:          {wall / longest.duration_s:7.2f} x the longest check (goal <= 2 x)")
    print(f"sum of checks:  {sum(r.duration_s for r in results):7.2f} s (their durations, measured side by side)")
    print(f"CPU: suite process {suite:.1f} s, server process {servers:.1f} s")
    print(f"verdicts: { {k: v for k, v in report.summary['verdicts'].items() if v} }")


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
