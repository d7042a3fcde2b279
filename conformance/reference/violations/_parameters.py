"""Violations of the parameters checks: a parameter that does not reach the model, a refusal that names nothing."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import error_field, request_body

ALLOWED = frozenset({
    "model", "input", "instructions", "previous_response_id", "conversation", "store", "stream", "stream_options",
    "background", "include", "max_output_tokens", "max_tool_calls", "metadata", "parallel_tool_calls", "prompt",
    "prompt_cache_key", "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "temperature",
    "top_p", "top_logprobs", "text", "tool_choice", "tools", "truncation", "user",
})


def _without(*names: str, keep: frozenset[str] | None = None) -> Any:
    def rewrite(ex: Exchange) -> Any:
        body = request_body(ex)
        if not ex.is_create:
            return ex.body
        return {k: v for k, v in body.items() if k not in names and (keep is None or k in keep)}

    return rewrite


violation(
    "unknown-parameter-dropped",
    "A gateway rebuilds the create body from an allow-list of parameters: an unknown one is silently dropped and "
    "the request answered 200 (BerriAI/litellm#34926).",
    caught_by=("parameters.unknown.refused",),
    on_request=_without(keep=ALLOWED),
)


def _unnamed(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 400 and error_field(value, "code") == "unknown_parameter":
        return 400, {"error": {"message": "Invalid request.", "type": "invalid_request_error", "param": None,
                               "code": None}}
    return status, value


violation(
    "unknown-parameter-unnamed",
    "An unknown parameter is refused with a 400 whose error names nothing: param null and a generic message.",
    caught_by=("parameters.unknown.refused",),
    on_json=_unnamed,
)

violation(
    "sampling-dropped",
    "A gateway strips temperature and top_p before forwarding (as a drop-params setting does for models it "
    "believes refuse them), so the response echoes the defaults and a reasoning model's refusal never comes.",
    caught_by=("parameters.sampling.echoed",),
    on_request=_without("temperature", "top_p"),
)

violation(
    "metadata-dropped",
    "A gateway drops metadata and user before forwarding (BerriAI/litellm#34926), so the response echoes {} "
    "and null.",
    caught_by=("parameters.fields.echoed",),
    on_request=_without("metadata", "user"),
)
