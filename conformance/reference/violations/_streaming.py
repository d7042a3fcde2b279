"""Violations of the streaming, resume and background checks: bugs seen in real servers, gateways and fixtures."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import RAW_DATA, Exchange, violation

Events = list[dict[str, Any]]
_TERMINAL = ("response.completed", "response.incomplete", "response.failed")
_LIFECYCLE = ("response.created", "response.queued", "response.in_progress", *_TERMINAL)

# Module state of the stateful violations: the background streams a caching gateway has relayed, by response
# id, and the responses it has cancelled. Ids never repeat, so nothing leaks from one check into another.
_RELAYED: dict[str, Events] = {}
_CANCELLED: set[str] = set()


def _parts(ex: Exchange) -> list[str]:
    return [p for p in ex.route.split("/") if p]


def _is_resume(ex: Exchange) -> bool:
    return ex.method == "GET" and ex.query.get("stream") == "true" and "starting_after" in ex.query


def _is_retrieve(ex: Exchange) -> bool:
    return ex.method == "GET" and len(_parts(ex)) == 2 and ex.query.get("stream", "false") != "true"


def _is_cancel(ex: Exchange) -> bool:
    parts = _parts(ex)
    return ex.method == "POST" and len(parts) == 3 and parts[2] == "cancel"


def _after(ex: Exchange) -> int:
    try:
        return int(ex.query["starting_after"])
    except (KeyError, ValueError):
        return -1


def _renumber(events: Events, start: int = 0) -> Events:
    """The events with contiguous sequence numbers from ``start`` (sentinels keep none)."""
    out: Events = []
    for event in events:
        if RAW_DATA not in event:
            event = {**event, "sequence_number": start}
            start += 1
        out.append(event)
    return out


def _first_number(events: Events) -> int:
    first = events[0].get("sequence_number") if events else None
    return first if isinstance(first, int) else 0


def _response_id(events: Events) -> str | None:
    for event in events:
        response = event.get("response")
        if isinstance(response, dict) and isinstance(response.get("id"), str):
            return str(response["id"])
    return None


def _envelope(message: str, type: str = "invalid_request_error", code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": None, "code": code}}


# -- streaming ----------------------------------------------------------------------------------------------


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
    return _renumber([e for e in events if e.get("type") in _LIFECYCLE])


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
    return _renumber([e for i, e in enumerate(events) if i not in dropped], _first_number(events))


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
    return _renumber([e for e in events if e.get("type") != "response.reasoning_summary_part.done"])


violation(
    "reasoning-summary-part-never-done",
    "The reasoning item streams its summary text but never sends response.reasoning_summary_part.done before "
    "its output_item.done.",
    caught_by=("streaming.reasoning.conforms",),
    on_events=_no_summary_part_done,
)


def _stored_snapshot(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if (_is_retrieve(ex) and status == 200 and isinstance(value, dict) and value.get("status") == "completed"
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


def _keepalives(ex: Exchange, events: Events) -> Events:
    out: Events = []
    for i, event in enumerate(events, 1):
        out.append(event)
        if i % 5 == 0 and i < len(events):
            out.append({"type": "keepalive"})
    return _renumber(out, _first_number(events))


violation(
    "keepalive-in-openai-stream",
    "An Azure-fronting gateway forwards Azure's keepalive events to clients of the OpenAI API.",
    caught_by=("streaming.keepalive.absent",),
    on_events=_keepalives,
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


# -- resume -------------------------------------------------------------------------------------------------


def _relay(ex: Exchange, events: Events) -> None:
    rid = _response_id(events)
    if ex.is_create and isinstance(ex.body, dict) and ex.body.get("background") is True and rid is not None:
        _RELAYED[rid] = events


def _replay_from_start(ex: Exchange, events: Events) -> Events:
    _relay(ex, events)
    if not _is_resume(ex):
        return events
    rid = _parts(ex)[1]
    before = [e for e in _RELAYED.get(rid, []) if e.get("sequence_number", 0) <= _after(ex)]
    return before + events


violation(
    "resume-ignores-starting-after",
    "A resumed stream ignores starting_after and replays the response from its first event.",
    caught_by=("resume.after.first_event", "resume.after.no_duplicates"),
    on_events=_replay_from_start,
)


def _inclusive(ex: Exchange, events: Events) -> Events:
    _relay(ex, events)
    if not _is_resume(ex):
        return events
    again = [e for e in _RELAYED.get(_parts(ex)[1], []) if e.get("sequence_number") == _after(ex)]
    return again + events


violation(
    "resume-includes-starting-after",
    "A resumed stream starts with the event numbered starting_after itself (an off-by-one: >= instead of >).",
    caught_by=("resume.after.first_event", "resume.after.no_duplicates"),
    on_events=_inclusive,
)


def _skip_next(ex: Exchange, events: Events) -> Events:
    return events[1:] if _is_resume(ex) else events


violation(
    "resume-skips-next-event",
    "A resumed stream starts at starting_after + 2: the event right after the cut is lost.",
    caught_by=("resume.after.first_event", "resume.after.equals_uninterrupted"),
    on_events=_skip_next,
)


def _renamed(value: Any, ids: set[str]) -> Any:
    if isinstance(value, dict):
        return {k: _renamed(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, ids) for v in value]
    return value + "_regen" if isinstance(value, str) and value in ids else value


def _regenerate(ex: Exchange, events: Events) -> Events:
    if not _is_resume(ex):
        return events
    ids = {str(e["item_id"]) for e in events if isinstance(e.get("item_id"), str)}
    ids |= {str(e["item"]["id"]) for e in events if isinstance(e.get("item"), dict) and isinstance(e["item"].get("id"), str)}
    return [_renamed(e, ids) for e in events]


violation(
    "resume-regenerates-items",
    "A resumed stream comes from a new generation, not the response's event log: its items carry other ids "
    "than the events before the cut.",
    caught_by=("resume.after.equals_uninterrupted",),
    on_events=_regenerate,
)


def _resume_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.method == "GET" and ex.query.get("stream") == "true" and 400 <= status < 500 and status != 404:
        return 500, _envelope("The server had an error while processing your request.", "server_error")
    return status, value


violation(
    "resume-of-unstreamed-response-500",
    "Resuming a response that was not created with stream: true crashes (500): there is no event log to replay.",
    caught_by=("resume.not_streamed.rejected",),
    on_json=_resume_crashes,
)


# -- background ---------------------------------------------------------------------------------------------


def _drop_background(ex: Exchange) -> Any:
    body = ex.body
    if ex.is_create and isinstance(body, dict) and body.get("background") is True:
        return {k: v for k, v in body.items() if k != "background"}
    return body


violation(
    "background-flag-ignored",
    "A gateway drops the background flag: the create blocks until the answer is complete.",
    caught_by=("background.create.queued",),
    on_request=_drop_background,
)


def _stuck(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if (_is_retrieve(ex) and isinstance(value, dict) and value.get("background")
            and value.get("status") in ("completed", "incomplete", "failed")):
        value = {**value, "status": "in_progress", "output": [], "usage": None, "error": None,
                 "incomplete_details": None}
    return status, value


violation(
    "background-stuck-in-progress",
    "A background response never leaves in_progress for a poller: the job's end is never written back.",
    caught_by=("background.poll.terminal",),
    on_json=_stuck,
)


def _cancel_answers_running(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_cancel(ex) and status == 200 and isinstance(value, dict) and value.get("status") == "cancelled":
        value = {**value, "status": "in_progress"}
    return status, value


violation(
    "cancel-answers-running-snapshot",
    "The cancel answers with the response as it was before the cancel (in_progress), not the cancelled one.",
    caught_by=("background.cancel.cancelled",),
    on_json=_cancel_answers_running,
)


def _second_cancel_fails(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if not _is_cancel(ex) or status != 200:
        return status, value
    rid = _parts(ex)[1]
    if rid in _CANCELLED:
        return 500, _envelope("The server had an error while processing your request.", "server_error")
    _CANCELLED.add(rid)
    return status, value


violation(
    "cancel-twice-server-error",
    "Cancelling a response a second time answers 500 instead of the final response object.",
    caught_by=("background.cancel.idempotent",),
    on_json=_second_cancel_fails,
)


def _job_keeps_running(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_retrieve(ex) and isinstance(value, dict) and value.get("status") == "cancelled":
        value = {**value, "status": "completed"}
    return status, value


violation(
    "cancel-does-not-stop-job",
    "The cancel answers cancelled but the job keeps running: later retrieves show the response completed.",
    caught_by=("background.cancel.stays_cancelled",),
    on_json=_job_keeps_running,
)


def _foreground_cancel_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_cancel(ex) and status == 400:
        return 500, _envelope("The server had an error while processing your request.", "server_error")
    return status, value


violation(
    "cancel-of-foreground-500",
    "Cancelling a response that was not created in background crashes (500) instead of answering 400.",
    caught_by=("background.cancel.foreground_rejected",),
    on_json=_foreground_cancel_crashes,
)


def _unknown_cancel_400(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_cancel(ex) and status == 404:
        return 400, _envelope("Invalid response id.", code="invalid_request")
    return status, value


violation(
    "cancel-of-unknown-id-400",
    "Cancelling an id that does not exist answers 400 invalid_request instead of 404.",
    caught_by=("background.cancel.unknown_id",),
    on_json=_unknown_cancel_400,
)
