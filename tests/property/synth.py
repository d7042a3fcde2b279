"""The stream synthesizer: any streamable Response → its canonical event stream, deltas cut every ``chunk``."""

from __future__ import annotations

import copy
from typing import Any

Event = dict[str, Any]


def _cut(text: str, chunk: int) -> list[str]:
    return [text[i:i + chunk] for i in range(0, len(text), chunk)] or [""]


def _part_events(item_id: str, index: int, ci: int, part: dict[str, Any], chunk: int) -> list[Event]:
    key, family = ("refusal", "refusal") if part["type"] == "refusal" else ("text", "output_text")
    where = {"item_id": item_id, "output_index": index, "content_index": ci}
    empty = {"type": part["type"], key: "", **({"annotations": []} if key == "text" else {})}
    return [
        {"type": "response.content_part.added", **where, "part": empty},
        *({"type": f"response.{family}.delta", **where, "delta": piece} for piece in _cut(part[key], chunk)),
        {"type": f"response.{family}.done", **where, key: part[key]},
        {"type": "response.content_part.done", **where, "part": part},
    ]


def _summary_events(item_id: str, index: int, si: int, part: dict[str, Any], chunk: int) -> list[Event]:
    where = {"item_id": item_id, "output_index": index, "summary_index": si}
    return [
        {"type": "response.reasoning_summary_part.added", **where, "part": {"type": "summary_text", "text": ""}},
        *({"type": "response.reasoning_summary_text.delta", **where, "delta": p} for p in _cut(part["text"], chunk)),
        {"type": "response.reasoning_summary_text.done", **where, "text": part["text"]},
        {"type": "response.reasoning_summary_part.done", **where, "part": part},
    ]


def _item_events(index: int, item: dict[str, Any], chunk: int) -> list[Event]:
    kind, item_id = item["type"], item["id"]
    inner: list[Event] = []
    if kind == "message":
        added = {**item, "status": "in_progress", "content": []}
        for ci, part in enumerate(item["content"]):
            inner += _part_events(item_id, index, ci, part, chunk)
    elif kind == "reasoning":
        added = {**item, "summary": []}
        for si, part in enumerate(item["summary"]):
            inner += _summary_events(item_id, index, si, part, chunk)
    else:
        field, family = ("arguments", "function_call_arguments") if kind == "function_call" else ("input", "custom_tool_call_input")
        added = {**item, "status": "in_progress", field: ""}
        where = {"item_id": item_id, "output_index": index}
        inner = [*({"type": f"response.{family}.delta", **where, "delta": p} for p in _cut(item[field], chunk)),
                 {"type": f"response.{family}.done", **where, field: item[field]}]
    return [{"type": "response.output_item.added", "output_index": index, "item": added}, *inner,
            {"type": "response.output_item.done", "output_index": index, "item": item}]


def synthesize(response: dict[str, Any], chunk: int = 3) -> list[Event]:
    """The canonical stream of a completed ``response``, numbered from 0."""
    start = {**response, "status": "in_progress", "output": [], "usage": None}
    events: list[Event] = [{"type": "response.created", "response": start},
                           {"type": "response.in_progress", "response": start}]
    for index, item in enumerate(response["output"]):
        events += _item_events(index, item, chunk)
    events.append({"type": "response.completed", "response": response})
    numbered = [{"type": e["type"], "sequence_number": n, **e} for n, e in enumerate(events)]
    return copy.deepcopy(numbered)
