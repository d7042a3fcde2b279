"""Legal variations of what a server says: extension fields, ``obfuscation``, ``billing``, a gateway's
``usage.cost``, ``service_tier`` and ``completed_at`` once terminal, and Azure's message-only 400 for a missing model."""

from __future__ import annotations

import secrets
import string
from typing import Any

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.reference.variations._base import PAYLOAD, route_of, variation
from conformance.reference.variations._rewrite import (
    Call,
    Event,
    Rewrite,
    events,
    read_body,
    replay,
    responses_in,
)

RECORDINGS = "../shared/reference/recordings"
EVERYTHING = (
    "lifecycle.*",
    "streaming.*",
    "resume.*",
    "background.*",
    "functions.*",
    "structured.*",
    "chaining.*",
)
COMPARED = ("lifecycle.retrieve.*", "streaming.retrieve.*", "background.*", "chaining.*", "store.*")
_TERMINAL = ("completed", "incomplete")

VENDOR_KEY = "x_vendor_trace"
VENDOR_VALUE = {"gateway": "responses-conformance", "region": "local"}


def _extended(value: Any) -> Any:
    """``value`` with the vendor key on itself and on the objects it holds (output, item, response, ...)."""
    if not isinstance(value, dict):
        return value
    out = {**value, VENDOR_KEY: VENDOR_VALUE}
    for key in ("response", "item", "part"):
        if isinstance(out.get(key), dict):
            out[key] = _extended(out[key])
    for key in ("output", "data"):
        if isinstance(out.get(key), list):
            out[key] = [_extended(v) for v in out[key]]
    return out


def _plain(value: Any) -> Any:
    """``value`` without the vendor key anywhere: the vendor takes its own output items back as input."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != VENDOR_KEY}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


variation(
    "vendor-extension-fields",
    "Responses, items, list pages, errors and events carry an extra key of the vendor's (`x_vendor_trace`), "
    "which the vendor also takes back in the output items a client replays as input.",
    source=f"{RECORDINGS}/README.md (field sets grow by date: completed_at, billing, prompt_cache_retention, "
    "moderation, tool_usage, ...; 'do not forbid unknown ones'); Azure's content_filters "
    "(vercel-ai__azure-code-interpreter-tool.1.chunks__1); DESIGN.md (compat mode allows unknown fields)",
    affects=EVERYTHING,
    wrap=lambda app: Rewrite(
        app,
        on_body=lambda call, value: _plain(value),
        on_json=lambda call, status, value: (status, _extended(value)),
        on_block=events(lambda call, event: [_extended(event)]),
    ),
    layer=PAYLOAD,
    strict_differs=True,
)

_ALPHABET = string.ascii_letters + string.digits


def _obfuscated(call: Call, event: Event) -> list[Event]:
    delta = event.get("delta")
    if not str(event.get("type", "")).endswith(".delta") or not isinstance(delta, str):
        return [event]
    pad = "".join(secrets.choice(_ALPHABET) for _ in range(-len(delta) % 16))  # empty at a multiple of 16
    return [{**event, "obfuscation": pad}]


variation(
    "obfuscation",
    "Every `*.delta` event carries random `obfuscation` padding: delta and padding together a multiple of "
    "16 characters long (an empty string when the delta already is).",
    source="recording openllmetry__test_responses.test_responses_streaming__1 (OpenAI: 'Once' + 12 "
    "characters, ' upon' + 11, ...); 17783 of the 17793 recorded OpenAI deltas are so padded (a 16-character "
    "delta with an empty string); 173 OpenAI and 46 Azure recorded streams carry it "
    "(vercel-ai__azure-code-interpreter-tool.1.chunks__1)",
    affects=("streaming.*", "resume.*", "functions.stream.*", "chaining.read_after_write.*"),
    wrap=lambda app: Rewrite(app, on_block=events(_obfuscated)),
    layer=PAYLOAD,
)


def _billed(call: Call, status: int, value: Any) -> tuple[int, Any]:
    if isinstance(value, dict) and value.get("object") == "response" and "billing" not in value:
        return status, {**value, "billing": {"payer": "developer"}}
    return status, value


variation(
    "billing",
    'JSON Response bodies carry `billing: {"payer": "developer"}`; stream events never do.',
    source="OpenAI adds billing to 539 of its 670 recorded JSON Response bodies and to none of its stream "
    "events (openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync; "
    "pydantic-ai__test_tool_search.test_live_tool_search_handoff_anthropic_openai_anthropic__4)",
    affects=COMPARED,
    wrap=lambda app: Rewrite(app, on_json=_billed),
    layer=PAYLOAD,
    flavors=("openai",),
)


def _each_response(value: Any, change: Any) -> Any:
    """``value`` with ``change(response)`` applied to the Response it is or carries."""
    found = responses_in(value)
    if not found:
        return value
    if found[0] is value:
        return change(value)
    return {**value, "response": change(value["response"])}


def _each_response_rewrite(change: Any) -> Any:
    """The wrap that applies ``change(response)`` to every Response a JSON body or an event is or carries."""
    return lambda app: Rewrite(
        app,
        on_json=lambda call, status, value: (status, _each_response(value, change)),
        on_block=events(lambda call, event: [_each_response(event, change)]),
    )


def _tiered(response: dict[str, Any]) -> dict[str, Any]:
    tier = response.get("service_tier")
    if tier not in (None, "auto", "default"):
        return response  # the client asked for a tier (flex, priority): it stays
    status = response.get("status")
    if status in ("queued", "in_progress"):
        return {**response, "service_tier": "auto"}
    return {**response, "service_tier": "default"} if status in _TERMINAL else response


variation(
    "service-tier-once-terminal",
    "`service_tier` reads `auto` while a response is queued or in progress and `default` once it is "
    "terminal.",
    source="recordings: response.created says auto and the terminal event default in 190 of the 209 OpenAI "
    "and 44 of the 47 Azure streams that end (openllmetry__test_responses.test_responses_streaming__1); a "
    "queued background create, then its retrieve (pydantic-ai__test_openai_responses."
    "test_background_mode_with_tool_vcr__1, __2)",
    affects=(*COMPARED, "streaming.*"),
    wrap=_each_response_rewrite(_tiered),
    layer=PAYLOAD,
)


def _costed(response: dict[str, Any]) -> dict[str, Any]:
    usage = response.get("usage")
    if not isinstance(usage, dict):
        return response
    return {**response, "usage": {**usage, "cost": round(0.000002 * int(usage.get("total_tokens") or 0), 9)}}


variation(
    "usage-cost",
    "Every Response's `usage` carries the gateway's `cost` (a number), a property the contract does not "
    "declare: compat mode accepts it, strict mode names it (schema.undeclared at /usage).",
    source="OpenRouter's Responses endpoint (recording pydantic-ai__test_openai_prompt_cache."
    "test_openrouter_responses_prompt_cache_e2e__1: usage.cost 0.025265, cost_details, is_byok)",
    affects=EVERYTHING,
    wrap=_each_response_rewrite(_costed),
    layer=PAYLOAD,
    strict_differs=True,
)


def _completed(response: dict[str, Any]) -> dict[str, Any]:
    done = response.get("status") == "completed"
    stamp = response.get("completed_at") or response.get("created_at") if done else None
    return {**response, "completed_at": stamp}


variation(
    "completed-at-once-terminal",
    "`completed_at` is null until a response completes, then set (the same in every copy of the response).",
    source="recordings: 371 completed OpenAI JSON bodies and 115 completed streams carry it, null before "
    "(pydantic-ai__test_openai_responses.test_openai_responses_model_retry, "
    "mirascope__test_structured_output_with_tools.openai_gpt_5_mini.async_stream__1)",
    affects=(*COMPARED, "streaming.*"),
    wrap=_each_response_rewrite(_completed),
    layer=PAYLOAD,
)


class _MissedDeployment:
    """Answers a create without ``model`` as Azure does: 400 ``{"error": {"message": "Missed model
    deployment"}}`` without param, type or code, and without a content type."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or route_of(scope["path"]) != "/responses":
            await self.app(scope, receive, send)
            return
        raw = await read_body(receive)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            body = None
        if isinstance(body, dict) and "model" not in body:
            payload = orjson.dumps({"error": {"message": "Missed model deployment"}})
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-length", str(len(payload)).encode())],
                }
            )
            await send({"type": "http.response.body", "body": payload, "more_body": False})
            return
        await self.app(scope, replay(raw, receive), send)


variation(
    "azure-missed-model-deployment",
    'A create without model is answered 400 `{"error": {"message": "Missed model deployment"}}`: no '
    "param, type or code, no content type.",
    source="recording azure-sdk-assets__ResponsesTests.WebSearchNotSupported__1",
    affects=("errors.missing_model.*", "fuzz.create.invalid_rejected"),
    wrap=_MissedDeployment,
    layer=PAYLOAD,
    flavors=("azure",),
    pending="errors.missing_model.names_param judges this answer known_issue under the azure profile "
    "(conformance/data/known-issues.toml, same source), not passed: a known deviation, not a variation that "
    "leaves verdicts unchanged",
)
