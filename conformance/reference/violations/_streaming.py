"""Violations of the streaming checks: event streams whose order, numbering or content break the grammar."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import RAW_DATA, Exchange, violation
from conformance.reference.violations._shared import Events, first_sequence_number, is_retrieve, renumber

_TERMINAL = ("response.completed", "response.incomplete", "response.failed")
_LIFECYCLE = ("response.created", "response.queued", "response.in_progress", *_TERMINAL)


def _from_one(ex: Exchange, events: Events) -> Events:
    return [{**e, "sequence_number": e["sequence_number"] + 1} if ex.is_create and "sequence_number" in e else e
            for e in events]


violation(
    "stream-sequence-starts-at-1",
    "Sequence numbers of a stream start at 1 instead of 0, as in servers that count events from one.",
    caught_by=("streaming.text.conforms", "streaming.function_call.conforms", "streaming.reasoning.conforms"),
    on_events=_from_one,
)


def _collapse(ex: Exchange, events: Events) -> Events:
    if not ex.is_create:
        return events
    return renumber([e for e in events if e.get("type") in _LIFECYCLE], 0)


violation(
    "stream-collapsed-to-lifecycle",
    "A buffering gateway relays only response.created, response.in_progress and the terminal event: no item, "
    "part or delta event reaches the client although the final response has output.",
    caught_by=("streaming.text.conforms", "streaming.function_call.conforms", "streaming.reasoning.conforms"),
    on_events=_collapse,
)


def _drop_last_text_delta(ex: Exchange, events: Events) -> Events:
    last: dict[tuple[Any, Any], int] = {}
    for i, event in enumerate(events):
        if event.get("type") == "response.output_text.delta":
            last[(event.get("item_id"), event.get("content_index"))] = i
    dropped = set(last.values())
    return renumber([e for i, e in enumerate(events) if i not in dropped], first_sequence_number(events))


violation(
    "stream-last-text-delta-dropped",
    "A proxy loses the last output_text.delta of each part before the done event (its buffer is not flushed), "
    "so the deltas no longer add up to the done text.",
    caught_by=("streaming.text.conforms",),
    on_events=_drop_last_text_delta,
)


def _item_id_is_call_id(ex: Exchange, events: Events) -> Events:
    calls: dict[Any, Any] = {}
    out: Events = []
    for event in events:
        item = event.get("item")
        if event.get("type") == "response.output_item.added" and isinstance(item, dict) and item.get(
                "type") == "function_call":
            calls[event.get("output_index")] = item.get("call_id")
        if str(event.get("type")).startswith("response.function_call_arguments.") and event.get(
                "output_index") in calls:
            event = {**event, "item_id": calls[event.get("output_index")]}
        out.append(event)
    return out


violation(
    "function-arguments-item-id-is-call-id",
    "The function_call_arguments events carry the call's call_id as item_id instead of the item's id "
    "(call_xxx for fc_xxx), a mix-up of the two ids seen in servers translating chat-completions tool calls.",
    caught_by=("streaming.function_call.conforms",),
    on_events=_item_id_is_call_id,
)


def _no_summary_part_done(ex: Exchange, events: Events) -> Events:
    if not ex.is_create:
        return events
    return renumber([e for e in events if e.get("type") != "response.reasoning_summary_part.done"], 0)


violation(
    "reasoning-summary-part-never-done",
    "The reasoning item streams its summary text but never sends response.reasoning_summary_part.done before "
    "its output_item.done.",
    caught_by=("streaming.reasoning.conforms",),
    on_events=_no_summary_part_done,
)


def _stored_snapshot(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if (is_retrieve(ex) and status == 200 and isinstance(value, dict) and value.get("status") == "completed"
            and not value.get("background")):
        value = {**value, "status": "in_progress", "output": [], "usage": None}
    return status, value


violation(
    "retrieve-returns-created-snapshot",
    "The store keeps the response.created snapshot of a streamed response: a retrieve after the stream "
    "shows it in_progress with no output.",
    caught_by=("streaming.retrieve.equals_streamed",),
    on_json=_stored_snapshot,
)


def _unnumbered_keepalives(ex: Exchange, events: Events) -> Events:
    out: Events = []
    for i, event in enumerate(events, 1):
        out.append(event)
        if i % 5 == 0 and i < len(events):
            out.append({"type": "keepalive"})
    return out


violation(
    "keepalive-without-sequence-number",
    "A gateway injects its own keepalive events without a sequence_number (OpenAI's and Azure's keepalives "
    "carry one and count in the numbering, openai/openai-node#1964).",
    caught_by=("streaming.text.conforms",),
    on_events=_unnumbered_keepalives,
)


def _sentinel(ex: Exchange, events: Events) -> Events:
    return [*events, {RAW_DATA: "[DONE]"}] if events else events


violation(
    "done-sentinel-in-stream",
    "The stream ends with `data: [DONE]` after the terminal event, a chat-completions habit of proxies.",
    caught_by=("streaming.sentinel.absent",),
    on_events=_sentinel,
)


def _incomplete_as_completed(ex: Exchange, events: Events) -> Events:
    out: Events = []
    for event in events:
        response = event.get("response")
        if event.get("type") == "response.incomplete" and isinstance(response, dict):
            event = {**event, "type": "response.completed",
                     "response": {**response, "status": "completed", "incomplete_details": None}}
        out.append(event)
    return out


violation(
    "incomplete-stream-reported-completed",
    "A gateway ends every stream with response.completed, also an answer cut short by max_output_tokens.",
    caught_by=("streaming.incomplete.conforms",),
    on_events=_incomplete_as_completed,
)
