"""A finished response as its canonical event stream, numbered, framed as SSE; the keepalive event."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import orjson

from conformance.reference import images, model

TERMINAL = {"completed": "response.completed", "incomplete": "response.incomplete", "failed": "response.failed"}
Event = dict[str, Any]


def start_events(snapshot: dict[str, Any]) -> list[Event]:
    """``response.created`` and then ``response.queued`` or ``response.in_progress`` (unnumbered)."""
    follow = "response.queued" if snapshot["status"] == "queued" else "response.in_progress"
    return [{"type": "response.created", "response": snapshot}, {"type": follow, "response": snapshot}]


def progress_event(snapshot: dict[str, Any]) -> Event:
    """``response.in_progress`` for a background response that left the queue."""
    return {"type": "response.in_progress", "response": snapshot}


def output_events(final: dict[str, Any]) -> list[Event]:
    """Every event of every output item, then the terminal event (unnumbered)."""
    partials = max((int(t.get("partial_images") or 0) for t in final["tools"] if t.get("type") == "image_generation"), default=0)
    events: list[Event] = []
    for index, item in enumerate(final["output"]):
        events += _item_events(item, index, partials)
    terminal = TERMINAL.get(final["status"])
    if terminal is not None:
        events.append({"type": terminal, "response": final})
    return events


def number(events: Iterable[Event], start: int) -> list[Event]:
    """Assign contiguous sequence numbers from ``start``."""
    return [{"type": e["type"], "sequence_number": seq, **e} for seq, e in enumerate(events, start)]


def keepalive(seq: int) -> Event:
    """One numbered ``keepalive`` event, as OpenAI and Azure send on idle streams (``keepalive`` fault)."""
    return {"type": "keepalive", "sequence_number": seq}


def sse(event: Event) -> bytes:
    """One event framed as SSE, its ``event:`` line equal to its ``type``."""
    kind: str = event["type"]
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"


def _pending(item: dict[str, Any]) -> dict[str, Any]:
    """The item as ``response.output_item.added`` shows it: nothing generated yet."""
    kind = item["type"]
    out = dict(item)
    if kind == "message":
        out.update(status="in_progress", content=[])
    elif kind == "reasoning":
        out["summary"] = []
        out.pop("encrypted_content", None)
    elif kind == "function_call":
        out.update(status="in_progress", arguments="")
    elif kind == "mcp_call":
        out.update(status="in_progress", arguments="", output=None, error=None)
    elif kind == "mcp_list_tools":
        out["tools"] = []
    elif kind == "image_generation_call":
        out.update(status="in_progress", result=None)
    return out


def _item_events(item: dict[str, Any], index: int, partials: int) -> list[Event]:
    where = {"item_id": item["id"], "output_index": index}
    events: list[Event] = [{"type": "response.output_item.added", "output_index": index, "item": _pending(item)}]
    kind = item["type"]
    if kind == "message":
        for ci, part in enumerate(item["content"]):
            events += _text_events(part, {**where, "content_index": ci})
    elif kind == "reasoning":
        for si, part in enumerate(item["summary"]):
            at = {**where, "summary_index": si}
            events.append({"type": "response.reasoning_summary_part.added", **at, "part": {**part, "text": ""}})
            for piece in model.words(part["text"]):
                events.append({"type": "response.reasoning_summary_text.delta", **at, "delta": piece})
            events.append({"type": "response.reasoning_summary_text.done", **at, "text": part["text"]})
            events.append({"type": "response.reasoning_summary_part.done", **at, "part": part})
    elif kind == "function_call":
        events.append({"type": "response.function_call_arguments.delta", **where, "delta": item["arguments"]})
        events.append({"type": "response.function_call_arguments.done", **where, "arguments": item["arguments"]})
    elif kind == "mcp_list_tools":
        events.append({"type": "response.mcp_list_tools.in_progress", **where})
        events.append({"type": "response.mcp_list_tools.completed", **where})
    elif kind == "mcp_call":
        events.append({"type": "response.mcp_call.in_progress", **where})
        events.append({"type": "response.mcp_call_arguments.delta", **where, "delta": item["arguments"]})
        events.append({"type": "response.mcp_call_arguments.done", **where, "arguments": item["arguments"]})
        ending = "response.mcp_call.failed" if item.get("status") == "failed" else "response.mcp_call.completed"
        events.append({"type": ending, **where})
    elif kind == "image_generation_call":
        events += _image_events(item, where, partials)
    events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    return events


def _text_events(part: dict[str, Any], at: dict[str, Any]) -> list[Event]:
    empty = {**part, "text": ""}
    events: list[Event] = [{"type": "response.content_part.added", **at, "part": empty}]
    for piece in model.words(part["text"]):
        events.append({"type": "response.output_text.delta", **at, "delta": piece, "logprobs": []})
    events.append({"type": "response.output_text.done", **at, "text": part["text"], "logprobs": []})
    events.append({"type": "response.content_part.done", **at, "part": part})
    return events


def _image_events(item: dict[str, Any], where: dict[str, Any], partials: int) -> list[Event]:
    events: list[Event] = [
        {"type": "response.image_generation_call.in_progress", **where},
        {"type": "response.image_generation_call.generating", **where},
    ]
    for k in range(min(partials, 3)):
        b64 = base64.b64encode(images.png(item["id"], stage=k)).decode()
        events.append(
            {"type": "response.image_generation_call.partial_image", **where, "partial_image_index": k, "partial_image_b64": b64}
        )
    events.append({"type": "response.image_generation_call.completed", **where})
    return events
