"""Legal variations of how a server takes parameters: penalties accepted, a refusal named in its message."""

from __future__ import annotations

import re
from typing import Any

from conformance.reference.variations._base import PAYLOAD, variation
from conformance.reference.variations._rewrite import Call, Rewrite

PENALTIES = ("presence_penalty", "frequency_penalty")
_REFUSAL = re.compile(r"^(Unknown|Unsupported) parameter: '")


def _take_penalties(call: Call, value: Any) -> Any:
    if call.method != "POST" or call.route != "/responses" or not isinstance(value, dict):
        return value
    call.state["penalties"] = {k: value[k] for k in PENALTIES if k in value}
    return {k: v for k, v in value.items() if k not in PENALTIES}


def _echo_penalties(call: Call, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and isinstance(value, dict) and value.get("object") == "response":
        value = {**value, **dict.fromkeys(PENALTIES, 0.0), **call.state.get("penalties", {})}
    return status, value


variation(
    "penalties-accepted",
    "presence_penalty and frequency_penalty are taken and echoed (0.0 when not sent), as Open Responses "
    "servers do and as OpenAI's and Azure's newer Response objects carry them.",
    source="openresponses-openapi-2026-04-24 (CreateResponseBody, ResponseResource); vllm-project/vllm#38613, "
    "ogx-ai/ogx#4704; recordings: presence_penalty 0.0 in 365 OpenAI and 16 Azure (gpt-5.x) responses",
    affects=("parameters.*",),
    wrap=lambda app: Rewrite(app, on_body=_take_penalties, on_json=_echo_penalties),
    layer=PAYLOAD,
)


def _param_in_message(call: Call, status: int, value: Any) -> tuple[int, Any]:
    error = value.get("error") if isinstance(value, dict) else None
    if status == 400 and isinstance(error, dict) and _REFUSAL.match(str(error.get("message"))):
        value = {"error": {**error, "param": None, "code": "unsupported_parameter"}}
    return status, value


variation(
    "azure-refusal-named-in-message",
    "A parameter the server does not take is refused with 400 naming it in the message only: param null, code "
    "unsupported_parameter.",
    source="egoist/chatwise-releases#1023 (Azure Responses API: \"Unsupported parameter: 'messages'. ...\", "
    "param null, code unsupported_parameter)",
    affects=("parameters.*",),
    wrap=lambda app: Rewrite(app, on_json=_param_in_message),
    layer=PAYLOAD,
    flavors=("azure",),
)
