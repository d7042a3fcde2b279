"""Benchmark: many concurrent streaming responses from the reference server over loopback.

Starts ``responses-conformance serve`` in a child process, opens N concurrent streams (default 200), reads
each to its terminal event and checks its sequence numbers; prints errors, throughput and the server's peak
memory (VmHWM). Numbers are printed, not asserted; the exit status is 1 when any stream failed.
usage: python benchmarks/bench_reference.py [--concurrency N] [--rounds R] [--words W] [--flavor F] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

from conformance.contract.sse import SSEDecoder

KEY = "bench-key"


def _peak_rss_mb(pid: int) -> float:
    """Peak resident set size of a process in MiB (Linux /proc), or -1 when unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return -1.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else -1.0


async def _one(client: httpx.AsyncClient, words: int) -> tuple[int, str | None]:
    """Stream one response; (event count, error or None)."""
    body = {"model": "gpt-4o-mini", "input": f"Write {words} words about rivers.", "stream": True}
    decoder = SSEDecoder()
    seqs: list[int] = []
    last = ""
    async with client.stream("POST", "/v1/responses", json=body) as response:
        if response.status_code != 200:
            return 0, f"HTTP {response.status_code}"
        async for chunk in response.aiter_bytes():
            for event in decoder.feed(chunk):
                data = orjson.loads(event.data)
                seqs.append(data["sequence_number"])
                last = data["type"]
    if seqs != list(range(len(seqs))):
        return len(seqs), "sequence numbers not contiguous"
    if last != "response.completed":
        return len(seqs), f"stream ended with {last!r}"
    return len(seqs), None


async def _round(url: str, concurrency: int, words: int) -> list[tuple[int, str | None]]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, headers={"api-key": KEY}, limits=limits, timeout=120) as client:
        tasks = [_one(client, words) for _ in range(concurrency)]
        results = await asyncio.gather(*tasks, return_exceptions=True)
    return [r if isinstance(r, tuple) else (0, repr(r)) for r in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--words", type=int, default=200, help="words per answer (about one delta each)")
    parser.add_argument("--flavor", choices=["openai", "azure"], default="openai")
    parser.add_argument("--db", default=None, help="SQLite file (default: a temporary file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.sqlite3")
        command = [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--db", db, "--api-key", KEY,
                   "--flavor", args.flavor]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            found = re.search(r"(http://\S+)", server.stdout.readline())
            if not found:
                print("the server did not start", file=sys.stderr)
                return 2
            total_events = total_streams = errors = 0
            started = time.perf_counter()
            for _ in range(args.rounds):
                for count, error in asyncio.run(_round(found.group(1), args.concurrency, args.words)):
                    total_streams += 1
                    total_events += count
                    if error is not None:
                        errors += 1
                        print(f"error: {error}", file=sys.stderr)
            elapsed = time.perf_counter() - started
            peak = _peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"reference server ({args.flavor}): {args.rounds} rounds x {args.concurrency} concurrent streams, "
          f"{args.words} words each")
    print(f"  streams: {total_streams}   errors: {errors}   events: {total_events}")
    print(f"  time: {elapsed:.2f} s   throughput: {total_streams / elapsed:.1f} streams/s, "
          f"{total_events / elapsed:,.0f} events/s")
    print(f"  server peak memory (VmHWM): {peak:.1f} MiB")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
