"""Benchmark of ``run``'s concurrency: 42 cells against the reference server with 100 ms injected latency
finish in at most 1.5 x the wall time of one cell (issue 4). Both times are printed.

    python benchmarks/bench_matrix.py [--tier smoke|core|full] [--cells 42] [--latency 100ms]

The full tier adds the file-limit checks (a 100-page PDF, ~32 MB uploads): CPU-bound in one process, so
they do not scale with cells on a 2-core machine; the default tier is core.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import time

from conformance.checks._check import Tier
from conformance.matrix import Cell, Credential
from conformance.reference.config import ServerConfig
from conformance.reference.faults import parse_fault
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server
from conformance.run.embedded import REFERENCE_CAPABILITIES, REFERENCE_MODEL
from conformance.run.runner import run_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", default="core", choices=[t.value for t in Tier])
    parser.add_argument("--cells", type=int, default=42)
    parser.add_argument("--latency", default="100ms")
    args = parser.parse_args()
    logging.getLogger("asyncio").setLevel(logging.ERROR)  # clients that stop reading streams are no news
    mcp = start_mcp_server()
    server = start_server(ServerConfig(flavor="openai", api_key="bench-key", think_time=0.2,
                                       faults=[parse_fault(f"latency={args.latency}")]))
    try:
        base = Cell(
            provider="reference", region="bench-00", deployment=REFERENCE_MODEL, model=REFERENCE_MODEL,
            model_version="", api_style="openai", api_version="", endpoint=f"{server.url}/v1", profile="openai",
            capabilities=REFERENCE_CAPABILITIES, credential=Credential("bearer", "bench-key"), mcp_url=mcp.url,
        )
        cells = [dataclasses.replace(base, region=f"bench-{i:02d}") for i in range(args.cells)]
        tier = Tier(args.tier)
        started = time.monotonic()
        one = run_suite(cells[:1], tier=tier, jobs=1, mcp_seen={mcp.url: mcp.headers_seen})
        single = time.monotonic() - started
        started = time.monotonic()
        many = run_suite(cells, tier=tier, jobs=len(cells), mcp_seen={mcp.url: mcp.headers_seen})
        matrix = time.monotonic() - started
    finally:
        server.stop()
        mcp.stop()
    checks = len(one.cells[0].results)
    print(f"1 cell:   {single:6.2f} s ({checks} checks, tier {tier.value}, latency {args.latency})")
    print(f"{len(cells)} cells: {matrix:6.2f} s ({matrix / single:.2f} x one cell; target <= 1.5 x)")
    print(f"verdicts: {many.summary['verdicts']}")


if __name__ == "__main__":
    main()
