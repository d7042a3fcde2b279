"""A valid synthetic Responses stream (reasoning, message with text and refusal, function call, custom tool)
and small helpers to mutate it and to run the grammar and the invariants over it."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from conformance.contract.grammar import StreamGrammar
from conformance.contract.invariants import StreamInvariants
from conformance.contract.violations import Violation

RECORDINGS = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "recordings"  # ../shared
RESP = "resp_0001"
RS, MSG, FC, CTC = "rs_0001", "msg_0001", "fc_0001", "ctc_0001"

Event = dict[str, Any]


def _response(status: str, output: list[Any], usage: Any = None) -> dict[str, Any]:
    return {
        "id": RESP,
        "object": "response",
        "created_at": 1751569118,
        "status": status,
        "error": None,
        "incomplete_details": None,
        "model": "gpt-4o-mini",
        "output": output,
        "usage": usage,
    }


def _deltas(kind: str, item_id: str, output_index: int, pieces: list[str], **index: int) -> list[Event]:
    return [
        {"type": kind, "item_id": item_id, "output_index": output_index, **index, "delta": piece}
        for piece in pieces
    ]


def valid_stream() -> list[Event]:
    """Every event of a well-formed stream, numbered from 0."""
    summary = ["Thinking ", "about ", "it."]
    reasoning_text = ["Step ", "one."]
    text = ["Hello", ", ", "wor", "ld", "\u2028!"]
    refusal = ["I can't ", "do that."]
    arguments = ['{"city":', ' "Paris"}']
    tool_input = ["print(", "1)"]
    summary_part = {"type": "summary_text", "text": "".join(summary)}
    reasoning_part = {"type": "reasoning_text", "text": "".join(reasoning_text)}
    text_part = {"type": "output_text", "text": "".join(text), "annotations": [], "logprobs": []}
    refusal_part = {"type": "refusal", "refusal": "".join(refusal)}
    reasoning = {"id": RS, "type": "reasoning", "summary": [summary_part], "content": [reasoning_part],
                 "encrypted_content": "gAAAA-first"}
    message = {"id": MSG, "type": "message", "status": "completed", "role": "assistant",
               "content": [text_part, refusal_part]}
    call = {"id": FC, "type": "function_call", "status": "completed", "call_id": "call_1", "name": "weather",
            "arguments": "".join(arguments)}
    custom = {"id": CTC, "type": "custom_tool_call", "status": "completed", "call_id": "call_2", "name": "py",
              "input": "".join(tool_input)}
    usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 2}, "output_tokens": 20,
             "output_tokens_details": {"reasoning_tokens": 5}, "total_tokens": 30}
    events: list[Event] = [
        {"type": "response.created", "response": _response("in_progress", [])},
        {"type": "response.in_progress", "response": _response("in_progress", [])},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"id": RS, "type": "reasoning", "summary": [], "content": []}},
        {"type": "response.reasoning_summary_part.added", "item_id": RS, "output_index": 0, "summary_index": 0,
         "part": {"type": "summary_text", "text": ""}},
        *_deltas("response.reasoning_summary_text.delta", RS, 0, summary, summary_index=0),
        {"type": "response.reasoning_summary_text.done", "item_id": RS, "output_index": 0, "summary_index": 0,
         "text": "".join(summary)},
        {"type": "response.reasoning_summary_part.done", "item_id": RS, "output_index": 0, "summary_index": 0,
         "part": summary_part},
        {"type": "response.content_part.added", "item_id": RS, "output_index": 0, "content_index": 0,
         "part": {"type": "reasoning_text", "text": ""}},
        *_deltas("response.reasoning_text.delta", RS, 0, reasoning_text, content_index=0),
        {"type": "response.reasoning_text.done", "item_id": RS, "output_index": 0, "content_index": 0,
         "text": "".join(reasoning_text)},
        {"type": "response.content_part.done", "item_id": RS, "output_index": 0, "content_index": 0,
         "part": reasoning_part},
        {"type": "response.output_item.done", "output_index": 0,
         "item": {**reasoning, "encrypted_content": "gAAAA-second"}},
        {"type": "response.output_item.added", "output_index": 1,
         "item": {"id": MSG, "type": "message", "status": "in_progress", "role": "assistant", "content": []}},
        {"type": "response.content_part.added", "item_id": MSG, "output_index": 1, "content_index": 0,
         "part": {"type": "output_text", "text": "", "annotations": []}},
        *_deltas("response.output_text.delta", MSG, 1, text, content_index=0),
        {"type": "response.output_text.done", "item_id": MSG, "output_index": 1, "content_index": 0,
         "text": "".join(text)},
        {"type": "response.content_part.done", "item_id": MSG, "output_index": 1, "content_index": 0,
         "part": {**text_part, "logprobs": None}},
        {"type": "response.content_part.added", "item_id": MSG, "output_index": 1, "content_index": 1,
         "part": {"type": "refusal", "refusal": ""}},
        *_deltas("response.refusal.delta", MSG, 1, refusal, content_index=1),
        {"type": "response.refusal.done", "item_id": MSG, "output_index": 1, "content_index": 1,
         "refusal": "".join(refusal)},
        {"type": "response.content_part.done", "item_id": MSG, "output_index": 1, "content_index": 1,
         "part": refusal_part},
        {"type": "response.output_item.done", "output_index": 1, "item": message},
        {"type": "response.output_item.added", "output_index": 2,
         "item": {**call, "status": "in_progress", "arguments": ""}},
        *_deltas("response.function_call_arguments.delta", FC, 2, arguments),
        {"type": "response.function_call_arguments.done", "item_id": FC, "output_index": 2,
         "arguments": "".join(arguments)},
        {"type": "response.output_item.done", "output_index": 2, "item": call},
        {"type": "response.output_item.added", "output_index": 3,
         "item": {**custom, "status": "in_progress", "input": ""}},
        *_deltas("response.custom_tool_call_input.delta", CTC, 3, tool_input),
        {"type": "response.custom_tool_call_input.done", "item_id": CTC, "output_index": 3,
         "input": "".join(tool_input)},
        {"type": "response.output_item.done", "output_index": 3, "item": custom},
        {"type": "response.completed",
         "response": _response("completed", [reasoning, message, call, custom], usage)},
    ]
    return json.loads(json.dumps(renumber(events)))  # no object shared between two events


def renumber(events: list[Any], start: int = 0) -> list[Any]:
    """The events with sequence_number 0, 1, 2, ... (strings such as "[DONE]" are left alone)."""
    out: list[Any] = []
    number = start
    for event in events:
        if isinstance(event, dict) and event.get("type") != "keepalive":
            event = {k: v for k, v in event.items() if k != "sequence_number"}
            event = {"type": event["type"], "sequence_number": number, **event}
            number += 1
        out.append(event)
    return out


def find(events: list[Any], event_type: str, nth: int = 0, **fields: Any) -> int:
    """Index of the nth event of a type (whose fields match)."""
    hits = [
        i for i, e in enumerate(events)
        if isinstance(e, dict) and e.get("type") == event_type and all(e.get(k) == v for k, v in fields.items())
    ]
    return hits[nth]


def copy_of(events: list[Any]) -> list[Any]:
    return copy.deepcopy(events)


def run(
    events: list[Any],
    *,
    profile: str = "openai",
    starting_after: int | None = None,
    names: dict[int, str | None] | None = None,
) -> list[Violation]:
    """Grammar and invariant violations of a stream of parsed events (``names`` overrides ``event:`` fields)."""
    grammar = StreamGrammar(profile=profile, starting_after=starting_after)
    invariants = StreamInvariants(starting_after=starting_after)
    found: list[Violation] = []
    for i, event in enumerate(events):
        name = event.get("type") if isinstance(event, dict) else None
        if names and i in names:
            name = names[i]
        found += grammar.feed(name, event)
        if isinstance(event, dict):
            found += invariants.feed(i, event)
    return found + grammar.close() + invariants.close()


def rules(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def recorded_streams(providers: tuple[str, ...] = ("openai", "azure")) -> list[tuple[str, str, str, int | None]]:
    """(file name, provider, SSE text, starting_after) of every recorded stream of those providers."""
    found = []
    for path in sorted(RECORDINGS.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or record.get("provider") not in providers:
            continue
        response = record.get("response") or {}
        if "sse" not in response:
            continue
        match = re.search(r"starting_after=(\d+)", record["request"].get("path") or "")
        found.append((path.name, record["provider"], response["sse"], int(match.group(1)) if match else None))
    return found
