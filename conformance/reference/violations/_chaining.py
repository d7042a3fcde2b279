"""Violations of the chaining checks: previous_response_id, replayed items and read-after-write of a chain."""

from __future__ import annotations

import time
from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import (
    error_field,
    is_input_items,
    is_response,
    marked,
    request_body,
    route_parts,
    server_error,
    unmark,
)

# Module state of the stateful violations (a caching gateway remembers what it has seen); ids never repeat.
_OWN_INPUT: dict[str, int] = {}  # how many input items each created response was given
_STREAMED_AT: dict[str, float] = {}
_LAG = 2.0  # seconds a lagging store needs before a streamed response can be found


def _previous_not_echoed(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and is_response(value):
        value = {**value, "previous_response_id": None}
    return status, value


violation(
    "previous-response-id-not-echoed",
    "A chained response answers previous_response_id: null.",
    caught_by=("chaining.previous_response_id.echoed",),
    on_json=_previous_not_echoed,
)


def _drop_previous(ex: Exchange) -> Any:
    body = request_body(ex)
    previous = body.get("previous_response_id")
    if not isinstance(previous, str):
        return body
    return marked({k: v for k, v in body.items() if k != "previous_response_id"}, previous)


def _echo_dropped_previous(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_response(value):
        value, mark = unmark(value)
        if mark is not None:
            value["previous_response_id"] = mark
    return status, value


violation(
    "previous-response-id-ignored",
    "A gateway in front of a stateless backend drops previous_response_id but echoes it: the model never "
    "sees the earlier turns.",
    caught_by=("chaining.context.carried",),
    on_request=_drop_previous,
    on_json=_echo_dropped_previous,
)


def _only_own_input(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and is_response(value):
        given = request_body(ex).get("input")
        _OWN_INPUT[value["id"]] = len(given) if isinstance(given, list) else 1
    elif is_input_items(ex) and status == 200 and isinstance(value, dict) and "after" not in ex.query:
        own = _OWN_INPUT.get(route_parts(ex)[1])
        if own is not None:
            data = value["data"][:own] if ex.query.get("order", "desc") == "desc" else value["data"][-own:]
            value = {**value, "data": data, "first_id": data[0].get("id") if data else None,
                     "last_id": data[-1].get("id") if data else None, "has_more": False}
    return status, value


violation(
    "input-items-forget-earlier-turns",
    "A server that stores each request's own input only lists a chained response's input items without the "
    "conversation it continues (real OpenAI lists the earlier turns too, newest first).",
    caught_by=("chaining.input_items.full_context",),
    on_json=_only_own_input,
)


def _refuse_replayed_ids(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    items = request_body(ex).get("input")
    if ex.is_create and status == 200 and isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("role") == "assistant" and isinstance(item.get("id"), str):
                message = f"Item with id '{item['id']}' not found."
                return 404, ApiError(404, message, param=f"input[{i}]").envelope()
    return status, value


violation(
    "replayed-output-items-refused",
    "Replayed output items that carry their ids are treated as references and refused as not found.",
    caught_by=("chaining.manual.replayed_output",),
    on_json=_refuse_replayed_ids,
)


def _unknown_previous_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and error_field(value, "code") == "previous_response_not_found":
        return 500, server_error()
    return status, value


violation(
    "unknown-previous-response-id-500",
    "An unknown previous_response_id is a failed lookup that escapes as a 500.",
    caught_by=("chaining.previous_response_id.unknown",),
    on_json=_unknown_previous_crashes,
)


def _note_streamed(ex: Exchange, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if ex.is_create:
        for event in events:
            response = event.get("response")
            if isinstance(response, dict) and isinstance(response.get("id"), str):
                _STREAMED_AT[response["id"]] = time.monotonic()
    return events


def _lagging_store(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    previous = request_body(ex).get("previous_response_id")
    written = _STREAMED_AT.get(previous) if isinstance(previous, str) else None
    if ex.is_create and written is not None and time.monotonic() - written < _LAG:
        message = f"Previous response with id '{previous}' not found."
        error = ApiError(400, message, param="previous_response_id", code="previous_response_not_found")
        return 400, error.envelope()
    return status, value


violation(
    "streamed-response-stored-late",
    "A streamed response is written to the store asynchronously after its terminal event, so chaining on it "
    "right away answers 400 previous_response_not_found.",
    caught_by=("chaining.read_after_write.streamed_parent",),
    on_events=_note_streamed,
    on_json=_lagging_store,
)
