"""Reading and checking request bodies: size limit, JSON, the create schema, and the API's own rules."""

from __future__ import annotations

import functools
from typing import Any

import orjson
from starlette.requests import Request

from conformance.contract.validate import ContractValidator
from conformance.reference.errors import ApiError, bad_request, param_from_pointer
from conformance.reference.model import is_reasoning_model

_CODES = {"schema.required": "missing_required_parameter", "schema.type": "invalid_type"}
SAMPLING = ("temperature", "top_p")  # refused by the reasoning models


@functools.cache
def _validator(profile: str, strict: bool) -> ContractValidator:
    return ContractValidator(profile, strict=strict)


def _strict_error(body: dict[str, Any], profile: str) -> ApiError | None:
    """The first thing only strict mode rejects (mostly a parameter the profile does not declare), or None."""
    for v in _validator(profile, True).validate(body, "request"):
        if v.rule == "schema.undeclared" and v.found:
            param = param_from_pointer(f"{v.pointer}/{v.found.split(', ')[0]}")
            return bad_request(f"Unknown parameter: '{param}'.", param, "unknown_parameter")
        param = param_from_pointer(v.pointer)
        return bad_request(f"Invalid value for '{param or 'body'}': {v.message}", param, "invalid_value")
    return None


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than ``limit`` bytes with a 413."""
    too_big = ApiError(413, f"The request body is larger than the {limit} bytes allowed.", code="request_too_large")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > limit:
            raise too_big
    return bytes(chunks)


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object; 400 for anything else."""
    raw = await read_body(request, limit)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise bad_request(
            f"We could not parse the JSON body of your request. ({exc.msg} at position {exc.pos})", code="invalid_json"
        ) from None
    if not isinstance(body, dict):
        raise bad_request("The body of your request must be a JSON object.", code="invalid_json")
    return body


def check_create(body: dict[str, Any], profile: str) -> None:
    """Enforce the create rules: known parameters, the schema, and the API's cross-field rules."""
    if "model" not in body:
        raise bad_request("Missing required parameter: 'model'.", "model", "missing_required_parameter")
    violations = _validator(profile, False).validate(body, "request")
    if violations:
        first = violations[0]
        param = param_from_pointer(first.pointer)
        raise bad_request(
            f"Invalid value for '{param or 'body'}': {first.message}", param, _CODES.get(first.rule, "invalid_value")
        )
    strict = _strict_error(body, profile)
    if strict is not None:
        raise strict
    if not isinstance(body["model"], str) or not body["model"].strip():
        raise bad_request("Invalid 'model': expected a model or deployment name.", "model", "invalid_value")
    _check_sampling(body)
    limit = body.get("max_output_tokens")
    if isinstance(limit, int) and limit < 16:
        raise bad_request(
            f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got {limit} instead.",
            "max_output_tokens",
            "integer_below_min_value",
        )
    if body.get("background") is True and body.get("store") is False:
        raise bad_request("Background mode requires store=true.", "background", "invalid_value")
    _check_tool_choice(body)
    for i, tool in enumerate(body.get("tools") or []):
        partial = tool.get("partial_images") if tool.get("type") == "image_generation" else None
        if partial is not None and (not isinstance(partial, int) or not 0 <= partial <= 3):
            raise bad_request("partial_images must be an integer from 0 to 3.", f"tools[{i}].partial_images", "invalid_value")


def _check_sampling(body: dict[str, Any]) -> None:
    """A reasoning model refuses temperature and top_p as OpenAI does: 400, param set, code null
    (recordings mirascope__test_call_with_params.openai_gpt_5_mini, pydantic-ai__test_model_capabilities_gpt-5-codex)."""
    if not is_reasoning_model(body["model"]):
        return
    for name in SAMPLING:
        if body.get(name) is not None:
            raise bad_request(f"Unsupported parameter: '{name}' is not supported with this model.", name)


def _check_tool_choice(body: dict[str, Any]) -> None:
    choice, tools = body.get("tool_choice"), body.get("tools") or []
    if choice == "required" and not tools:
        raise bad_request("Tool choice 'required' must be specified with 'tools' parameter.", "tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        names = {t.get("name") for t in tools if t.get("type") == "function"}
        if choice.get("name") not in names:
            raise bad_request(f"Tool choice '{choice.get('name')}' not found in 'tools' parameter.", "tool_choice")


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within bounds, else a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid '{name}': expected an integer, got '{raw}'.", name, "invalid_type") from None
    if not low <= value <= high:
        raise bad_request(f"Invalid '{name}': expected a value from {low} to {high}, got {value}.", name, "invalid_value")
    return value
