"""Violations of the functions checks: tool_choice, call arguments, call outputs and their round trip."""

from __future__ import annotations

import json
from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.items import message
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import has_input, output_items, request_items, server_error


def _forced_function(ex: Exchange) -> bool:
    choice = ex.body.get("tool_choice") if isinstance(ex.body, dict) else None
    return ex.is_create and isinstance(choice, dict) and choice.get("type") == "function"


def _ignore_tool_choice(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and _forced_function(ex) and output_items(value, "function_call"):
        value["output"] = [message("I can look that up for you if you like.")]
    return status, value


violation(
    "forced-tool-choice-ignored",
    "A tool_choice naming a function is ignored and the model answers in text (gateways that drop tool_choice "
    "when translating to another backend).",
    caught_by=("functions.tool_choice.forced_call",),
    on_json=_ignore_tool_choice,
)


def _drop_required_argument(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    for call in output_items(value, "function_call") if status == 200 else []:
        arguments = json.loads(call["arguments"])
        if isinstance(arguments, dict) and arguments:
            arguments.pop(sorted(arguments)[-1])
            call["arguments"] = json.dumps(arguments)
    return status, value


violation(
    "function-arguments-miss-required",
    "A function call's arguments lack a required property of the declared strict schema (strict mode not "
    "enforced by the server, or a gateway's lossy re-serialisation).",
    caught_by=("functions.arguments.match_schema",),
    on_json=_drop_required_argument,
)


def _lose_chained_call(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and ex.is_create and has_input(ex, "function_call_output"):
        call_id = next(x.get("call_id") for x in request_items(ex) if x.get("type") == "function_call_output")
        message_ = f"No tool call found for function call output with call_id {call_id}."
        return 400, ApiError(400, message_, param="input").envelope()
    return status, value


violation(
    "function-output-chain-lost",
    "A function_call_output sent with previous_response_id is refused as unknown (the gateway routed the "
    "follow-up to a backend that does not hold the previous response).",
    caught_by=("functions.round_trip.answer", "functions.round_trip.uses_output"),
    on_json=_lose_chained_call,
)


def _stringify_output(ex: Exchange) -> Any:
    for item in request_items(ex):
        if item.get("type") == "function_call_output":
            item["output"] = "[object Object]"
    return ex.body


violation(
    "function-output-object-object",
    "The tool output reaches the model as '[object Object]' (a JavaScript gateway stringifying it), so the "
    "answer cannot use it.",
    caught_by=("functions.round_trip.uses_output",),
    on_request=_stringify_output,
)


def _double_argument_deltas(ex: Exchange, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**e, "delta": e["delta"] * 2} if e.get("type") == "response.function_call_arguments.delta" else e
        for e in events
    ]


violation(
    "function-argument-deltas-doubled",
    "Every function_call_arguments.delta is sent with its text twice (a proxy re-emitting the buffered chunk).",
    caught_by=("functions.stream.argument_deltas",),
    on_events=_double_argument_deltas,
)


def _flatten_tool_outputs(ex: Exchange) -> Any:
    if ex.is_create and isinstance(ex.body.get("input"), list):
        ex.body["input"] = [
            {"role": "user", "content": f"Tool result: {x.get('output')}"} if x.get("type") == "function_call_output" else x
            for x in ex.body["input"]
        ]
    return ex.body


violation(
    "function-output-flattened",
    "function_call_output items are flattened into user messages (a chat-completions adapter), so an unknown "
    "call_id is accepted instead of refused.",
    caught_by=("functions.call_id.unknown_refused",),
    on_request=_flatten_tool_outputs,
)


def _crash_on_unknown_call(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 400 and ex.is_create and has_input(ex, "function_call_output") and "call_id" in str(value):
        return 500, server_error()
    return status, value


violation(
    "function-unknown-call-id-500",
    "A function_call_output with an unknown call_id makes the server fail with a 500 (an unhandled lookup error).",
    caught_by=("functions.call_id.unknown_refused",),
    on_json=_crash_on_unknown_call,
)
