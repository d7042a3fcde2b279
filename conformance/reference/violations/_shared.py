"""What the violation modules share: reading an exchange's route, request and answer, and rewriting events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.items import message, new_id
from conformance.reference.violations._base import RAW_DATA, Exchange

Events = list[dict[str, Any]]
_MARK = "x_violation"

# -- the request --------------------------------------------------------------------------------------------


def route_parts(ex: Exchange) -> list[str]:
    """The segments of the route: ``["responses", id, "input_items"]``."""
    return [p for p in ex.route.split("/") if p]


def is_retrieve(ex: Exchange) -> bool:
    """A JSON (not streamed) retrieve of one response."""
    return ex.method == "GET" and len(route_parts(ex)) == 2 and ex.query.get("stream", "false") != "true"


def is_input_items(ex: Exchange) -> bool:
    """A listing of a response's input items."""
    parts = route_parts(ex)
    return ex.method == "GET" and len(parts) == 3 and parts[2] == "input_items"


def request_body(ex: Exchange) -> dict[str, Any]:
    """The request's JSON object ({} when it sent none)."""
    return ex.body if isinstance(ex.body, dict) else {}


def request_items(ex: Exchange) -> list[dict[str, Any]]:
    """The items of the request's ``input`` when it is a list."""
    raw = ex.body.get("input") if isinstance(ex.body, dict) else None
    return [x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else []


def input_parts(ex: Exchange) -> Iterator[dict[str, Any]]:
    """The content parts of the request's input items."""
    for item in request_items(ex):
        content = item.get("content")
        if isinstance(content, list):
            yield from (p for p in content if isinstance(p, dict))


def has_input(ex: Exchange, kind: str) -> bool:
    """Whether the request's input holds an item of this type."""
    return any(x.get("type") == kind for x in request_items(ex))


def marked(body: dict[str, Any], mark: str) -> dict[str, Any]:
    """The request with a marker in metadata, so that the answer (and later retrievals) can be recognised."""
    return {**body, "metadata": {**(body.get("metadata") or {}), _MARK: mark}}


def unmark(value: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The answer without the marker ``marked`` put in, and the marker (None when there was none)."""
    metadata = dict(value.get("metadata") or {})
    mark = metadata.pop(_MARK, None)
    return {**value, "metadata": metadata}, mark


# -- the answer ---------------------------------------------------------------------------------------------


def is_response(value: Any) -> bool:
    """Whether an answer is a response object."""
    return isinstance(value, dict) and value.get("object") == "response"


def output_items(value: Any, kind: str) -> list[dict[str, Any]]:
    """The output items of this type in a response."""
    out = value.get("output") if isinstance(value, dict) else None
    return [x for x in out if isinstance(x, dict) and x.get("type") == kind] if isinstance(out, list) else []


def error_field(value: Any, name: str) -> Any:
    """A field (``code``, ``param``) of the error object of an answer; None when it has none."""
    error = value.get("error") if isinstance(value, dict) else None
    return error.get(name) if isinstance(error, dict) else None


def is_error(status: int, value: Any, code: str) -> bool:
    """Whether the answer is an error (status 400 or more) with this code."""
    return status >= 400 and error_field(value, "code") == code


def server_error() -> dict[str, Any]:
    """The envelope of a 500."""
    return ApiError(500, "The server had an error while processing your request.", type="server_error").envelope()


def stub_response(ex: Exchange, text: str) -> dict[str, Any]:
    """A completed response a server that skipped its own checks would send: one message, nothing else."""
    body = request_body(ex)
    words = len(text.split())
    return {
        "id": new_id("resp"), "object": "response", "created_at": int(time.time()), "status": "completed",
        "background": False, "error": None, "incomplete_details": None, "instructions": None,
        "max_output_tokens": body.get("max_output_tokens"), "model": body.get("model"),
        "output": [message(text)], "parallel_tool_calls": True,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None}, "store": body.get("store") is not False,
        "temperature": 1.0, "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
        "top_p": 1.0, "truncation": "disabled",
        "usage": {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": words,
                  "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 10 + words},
        "metadata": {},
    }


# -- the stream ---------------------------------------------------------------------------------------------


def first_sequence_number(events: Events) -> int:
    """The first sequence number the events carry (0 when none does)."""
    return next((e["sequence_number"] for e in events if isinstance(e.get("sequence_number"), int)), 0)


def renumber(events: Events, start: int) -> Events:
    """The events with contiguous sequence numbers from ``start`` (a raw ``data:`` line keeps none)."""
    out: Events = []
    for event in events:
        if RAW_DATA not in event:
            event = {**event, "sequence_number": start}
            start += 1
        out.append(event)
    return out
