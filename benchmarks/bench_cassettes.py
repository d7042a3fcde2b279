"""Benchmark of replay: one whole cell replayed from cassettes takes at most 0.5 x the time of the same cell run
live against the reference server (issue 5). Both times are printed.

    python benchmarks/bench_cassettes.py [--flavor azure|openai]

The cell is the embedded reference cell of that flavour with every check but fuzz.* (not replayable).
Replay keeps the checks' own waits (background polling, settle times), so it cannot reach zero.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

from conformance.cassettes import CassetteSession
from conformance.checks import info_of
from conformance.client import Secrets
from conformance.matrix import Cell
from conformance.reference.config import ServerConfig, new_api_key
from conformance.reference.mcp_server import start_mcp_server
from conformance.reference.server import start_server
from conformance.run.embedded import reference_cell, reference_replay_cells
from conformance.run.runner import CheckFunction, load_checks, run_suite


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flavor", default="azure", choices=["azure", "openai"])
    flavor = parser.parse_args().flavor
    checks = [f for f in load_checks() if not info_of(f).id.startswith("fuzz.")]  # type: ignore[union-attr]
    token, key = "mcp-bench-token", new_api_key()
    mcp = start_mcp_server(require_header=("Authorization", f"Bearer {token}"))
    server = start_server(ServerConfig(flavor=flavor, api_key=key, think_time=0.5))  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory() as folder:
        try:
            cell = reference_cell(flavor, server.url, key, mcp.url, token)
            live = _timed(cell, checks, "live", Path(folder), {mcp.url: mcp.headers_seen})
            _timed(cell, checks, "record", Path(folder), {mcp.url: mcp.headers_seen})
        finally:
            server.stop()
            mcp.stop()
        replay_cell = next(c for c in reference_replay_cells() if c.profile == flavor)
        replay = _timed(replay_cell, checks, "replay", Path(folder), {})
    print(f"one {flavor} cell, {len(checks)} checks: live {live:.2f} s, replay {replay:.2f} s")
    print(f"replay / live = {replay / live:.2f} (target <= 0.50)")


def _timed(cell: Cell, checks: list[CheckFunction], mode: str, root: Path, mcp_seen: dict[str, list[dict[str, str]]]) -> float:
    cell = dataclasses.replace(cell, mode=mode)
    secrets = Secrets(cell.secrets())
    session = CassetteSession(root, [cell], secrets) if mode != "live" else None
    start = time.perf_counter()
    report = run_suite(
        [cell], checks=checks, jobs=1, secrets=secrets, mcp_seen=mcp_seen,
        transport_factory=session.transport if session else None, check_scope=session.scope if session else None,
    )
    elapsed = time.perf_counter() - start
    counts: dict[str, int] = {}
    for result in report.cells[0].results:
        counts[result.verdict.value] = counts.get(result.verdict.value, 0) + 1
    print(f"{mode:>6}: {elapsed:6.2f} s  {dict(sorted(counts.items()))}")
    return elapsed


if __name__ == "__main__":
    main()
