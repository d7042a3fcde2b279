"""Benchmark: schema-generated create requests per second against the reference server running in this process.

Generates bodies with the fuzz checks' strategies (schemathesis over schemas/openapi.json), first alone, then
sent to a reference server in a thread of this process; prints the rates and the status classes seen.
usage: python benchmarks/bench_fuzz.py [--examples N]
"""

from __future__ import annotations

import argparse
import collections
import time
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings

from conformance.checks._fuzz import create_bodies
from conformance.reference.config import ServerConfig
from conformance.reference.server import start_server

KEY = "bench-key"
MODEL = "gpt-4o-mini"


def _drive(examples: int, valid: bool, send: Any) -> tuple[int, float]:
    count = [0]

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(create_bodies("openai", MODEL, valid=valid))
    def run(body: Any) -> None:
        count[0] += 1
        send(body)

    started = time.perf_counter()
    run()
    return count[0], time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    args = parser.parse_args()
    handle = start_server(ServerConfig(api_key=KEY, think_time=0.0))
    try:
        with httpx.Client(base_url=handle.url + "/v1", headers={"api-key": KEY}, timeout=30) as client:
            for valid in (True, False):
                label = "valid" if valid else "invalid"
                made, alone = _drive(args.examples, valid, lambda body: None)
                statuses: collections.Counter[str] = collections.Counter()

                def send(body: Any, seen: collections.Counter[str] = statuses) -> None:
                    seen.update([f"{client.post('/responses', json=body).status_code // 100}xx"])

                sent, took = _drive(args.examples, valid, send)
                print(f"{label:7} generated only: {made / alone:7.1f} bodies/s ({made} in {alone:.1f} s)")
                print(f"{label:7} generated + sent: {sent / took:7.1f} requests/s ({sent} in {took:.1f} s); "
                      f"answers {dict(sorted(statuses.items()))}")
    finally:
        handle.stop()


if __name__ == "__main__":
    main()
