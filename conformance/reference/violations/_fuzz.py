"""Violations of the fuzz checks: what schema-generated requests find and hand-written cases miss."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import is_input_items, request_body, server_error

SAMPLING = ("temperature", "top_p", "top_logprobs", "metadata", "user", "truncation")
FORWARDED = ("model", "input", "instructions")


def _crash_on_sampling(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    body = request_body(ex)
    if ex.is_create and any(name in body for name in SAMPLING):
        return 500, server_error()
    return status, value


def _forward_known_strings(ex: Exchange) -> Any:
    if not ex.is_create:
        return ex.body
    return {k: v for k, v in ex.body.items() if k in FORWARDED and isinstance(v, str)}


def _timestamp_as_string(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    body = request_body(ex)
    if ex.is_create and status == 200 and isinstance(value, dict) and any(name in body for name in SAMPLING):
        return status, {**value, "created_at": str(value.get("created_at"))}
    return status, value


def _input_items_of_deleted(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_input_items(ex) and status == 404:
        return 200, {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
    return status, value


violation(
    "create-500-on-sampling-parameters",
    "A valid create request that sets a sampling parameter (temperature, top_p, metadata, user, ...) "
    "answers 500: a backend that only ever saw the defaults.",
    caught_by=("fuzz.create.valid_not_5xx",),
    on_json=_crash_on_sampling,
)

violation(
    "create-drops-invalid-fields",
    "A gateway forwards only model, input and instructions (when strings) and silently drops every other "
    "field, so invalid requests are accepted.",
    caught_by=("fuzz.create.invalid_rejected",),
    on_request=_forward_known_strings,
)

violation(
    "created-at-as-string-with-sampling-parameters",
    "When a create request sets a sampling parameter, the answer carries created_at as a string (a gateway "
    "that re-serialises the answers it had to rewrite).",
    caught_by=("fuzz.create.answers_conform",),
    on_json=_timestamp_as_string,
)

violation(
    "input-items-of-deleted-response",
    "input_items of a deleted response answers 200 with an empty page instead of 404 (a stale item cache).",
    caught_by=("fuzz.stateful.use_after_free",),
    on_json=_input_items_of_deleted,
)
