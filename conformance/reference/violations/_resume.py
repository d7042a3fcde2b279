"""Violations of the resume checks: a stream resumed with starting_after that is not the rest of the original."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import Events, route_parts, server_error

# Module state of the stateful violations: the background streams a caching gateway has relayed, by response
# id. Ids never repeat, so nothing leaks from one check into another.
_RELAYED: dict[str, Events] = {}


def _is_resume(ex: Exchange) -> bool:
    return ex.method == "GET" and ex.query.get("stream") == "true" and "starting_after" in ex.query


def _after(ex: Exchange) -> int:
    try:
        return int(ex.query["starting_after"])
    except (KeyError, ValueError):
        return -1


def _response_id(events: Events) -> str | None:
    for event in events:
        response = event.get("response")
        if isinstance(response, dict) and isinstance(response.get("id"), str):
            return str(response["id"])
    return None


def _relay(ex: Exchange, events: Events) -> None:
    rid = _response_id(events)
    if ex.is_create and isinstance(ex.body, dict) and ex.body.get("background") is True and rid is not None:
        _RELAYED[rid] = events


def _resend(again: Callable[[dict[str, Any], int], bool]) -> Callable[[Exchange, Events], Events]:
    """Relay background streams; a resumed stream then starts with the relayed events ``again`` picks."""

    def rewrite(ex: Exchange, events: Events) -> Events:
        _relay(ex, events)
        if not _is_resume(ex):
            return events
        after = _after(ex)
        return [e for e in _RELAYED.get(route_parts(ex)[1], []) if again(e, after)] + events

    return rewrite


violation(
    "resume-ignores-starting-after",
    "A resumed stream ignores starting_after and replays the response from its first event.",
    caught_by=("resume.after.first_event", "resume.after.no_duplicates"),
    on_events=_resend(lambda event, after: event.get("sequence_number", 0) <= after),
)

violation(
    "resume-includes-starting-after",
    "A resumed stream starts with the event numbered starting_after itself (an off-by-one: >= instead of >).",
    caught_by=("resume.after.first_event", "resume.after.no_duplicates"),
    on_events=_resend(lambda event, after: event.get("sequence_number") == after),
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
        return 500, server_error()
    return status, value


violation(
    "resume-of-unstreamed-response-500",
    "Resuming a response that was not created with stream: true crashes (500): there is no event log to replay.",
    caught_by=("resume.not_streamed.rejected",),
    on_json=_resume_crashes,
)
