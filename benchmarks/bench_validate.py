"""Benchmark: validating a stream of 100,000 events (schemas + grammar + invariants) against orjson.loads.

Prints both throughputs side by side and their ratio (goal: >= 0.20). Numbers are printed, not asserted.
usage: python benchmarks/bench_validate.py [--events N] [--repeat R] [--profile openai|azure]
"""

from __future__ import annotations

import argparse
import time

import orjson

from conformance.contract.sse import ServerSentEvent
from conformance.contract.stream import check_stream
from conformance.contract.validate import ContractValidator

WORDS = "The quick brown fox jumps over the lazy dog while the conformance suite counts every event".split()


def _response(rid: str, status: str, output: list[dict], usage: dict | None) -> dict:
    return {
        "id": rid, "object": "response", "created_at": 1754443223, "status": status, "background": False,
        "error": None, "incomplete_details": None, "instructions": None, "max_output_tokens": 64,
        "max_tool_calls": None, "model": "gpt-4o-mini", "output": output, "parallel_tool_calls": True,
        "previous_response_id": None, "prompt_cache_key": None, "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None, "service_tier": "auto", "store": True, "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto", "tools": [],
        "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": usage, "user": None, "metadata": {},
    }


def stream_payloads(n: int, deltas_per_stream: int = 95) -> list[str]:
    """Event payloads of consecutive realistic text streams, n in all (the last stream may be cut short)."""
    out: list[str] = []
    s = 0
    while len(out) < n:
        rid, mid = f"resp_{s:040x}", f"msg_{s:040x}"
        events: list[dict] = []
        add = events.append

        add({"type": "response.created", "response": _response(rid, "in_progress", [], None)})
        add({"type": "response.in_progress", "response": _response(rid, "in_progress", [], None)})
        item = {"id": mid, "type": "message", "status": "in_progress", "content": [], "role": "assistant"}
        add({"type": "response.output_item.added", "output_index": 0, "item": item})
        part = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
        add({"type": "response.content_part.added", "item_id": mid, "output_index": 0, "content_index": 0, "part": part})
        pieces = [(" " if i else "") + WORDS[(s + i) % len(WORDS)] for i in range(deltas_per_stream)]
        for piece in pieces:
            add({"type": "response.output_text.delta", "item_id": mid, "output_index": 0, "content_index": 0,
                 "delta": piece, "logprobs": [], "obfuscation": "aB3dE"})
        text = "".join(pieces)
        add({"type": "response.output_text.done", "item_id": mid, "output_index": 0, "content_index": 0,
             "text": text, "logprobs": []})
        done_part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
        add({"type": "response.content_part.done", "item_id": mid, "output_index": 0, "content_index": 0,
             "part": done_part})
        done_item = {"id": mid, "type": "message", "status": "completed", "content": [done_part], "role": "assistant"}
        add({"type": "response.output_item.done", "output_index": 0, "item": done_item})
        usage = {"input_tokens": 12, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": deltas_per_stream,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 12 + deltas_per_stream}
        add({"type": "response.completed", "response": _response(rid, "completed", [done_item], usage)})
        out.extend(orjson.dumps({**e, "sequence_number": i}).decode() for i, e in enumerate(events))
        s += 1
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", default="openai")
    args = ap.parse_args()

    payloads = stream_payloads(args.events, 95)
    # Whole streams only, so that the grammar judges complete streams.
    streams: list[list[ServerSentEvent]] = [[]]
    for p in payloads:
        if streams[-1] and '"type":"response.created"' in p[:40]:
            streams.append([])
        streams[-1].append(ServerSentEvent(data=p, event=orjson.loads(p)["type"]))
    if len(streams) > 1 and streams[-1][-1].event != "response.completed":
        streams.pop()
    events = [e for stream in streams for e in stream]
    datas = [e.data for e in events]
    validator = ContractValidator(args.profile)
    # Warm-up (compiles the validators) and a correctness check: the synthetic streams are valid.
    first = check_stream(streams[0], validator)
    if first.violations:
        raise SystemExit(f"benchmark streams are not valid: {first.violations[:3]}")

    loads = orjson.loads
    best_loads = best_check = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for d in datas:
            loads(d)
        best_loads = min(best_loads, time.perf_counter() - t0)
        t0 = time.perf_counter()
        bad = 0
        for stream in streams:
            bad += len(check_stream(stream, validator).violations)
        best_check = min(best_check, time.perf_counter() - t0)
        if bad:
            raise SystemExit(f"{bad} violations in valid benchmark streams")
    n = len(events)
    loads_rate, check_rate = n / best_loads, n / best_check
    print(f"events: {n:,} in {len(streams)} streams, profile {args.profile} (compat), best of {args.repeat}")
    print(f"orjson.loads only:                 {loads_rate:12,.0f} events/s")
    print(f"validate (schemas+grammar+invar.): {check_rate:12,.0f} events/s")
    print(f"ratio: {check_rate / loads_rate:.3f} (goal >= 0.20)")


if __name__ == "__main__":
    main()
