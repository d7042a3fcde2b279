"""Violations of the structured checks: json_schema and json_object answers that are not the JSON asked for."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import output_items


def _format_type(ex: Exchange) -> Any:
    text = ex.body.get("text") if isinstance(ex.body, dict) else None
    fmt = text.get("format") if isinstance(text, dict) else None
    return fmt.get("type") if isinstance(fmt, dict) else None


def _rewrite_text(value: Any, rewrite: Any) -> None:
    for item in output_items(value, "message"):
        for part in item.get("content") or []:
            if isinstance(part, dict) and part.get("type") == "output_text":
                part["text"] = rewrite(part["text"])


def _fence_json(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and ex.is_create and _format_type(ex) == "json_schema":
        _rewrite_text(value, lambda t: f"```json\n{t}\n```")
    return status, value


violation(
    "structured-json-in-code-fence",
    "The json_schema answer comes wrapped in a markdown code fence (```json ... ```), so it is not JSON.",
    caught_by=("structured.json_schema.valid",),
    on_json=_fence_json,
)


def _reset_format(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and ex.is_create and _format_type(ex) == "json_schema" and isinstance(value.get("text"), dict):
        value["text"]["format"] = {"type": "text"}
    return status, value


violation(
    "structured-format-not-echoed",
    "The response's text.format says {type: text} although json_schema was requested (a gateway rebuilding the "
    "response object from a chat completion).",
    caught_by=("structured.json_schema.echoed",),
    on_json=_reset_format,
)


def _prose_before_json(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and ex.is_create and _format_type(ex) == "json_object":
        _rewrite_text(value, lambda t: "Here is the JSON you asked for: " + t)
    return status, value


violation(
    "structured-json-object-with-prose",
    "The json_object answer starts with prose before the object (JSON mode not enforced).",
    caught_by=("structured.json_object.valid",),
    on_json=_prose_before_json,
)


def _default_format_name(ex: Exchange) -> Any:
    fmt = (ex.body.get("text") or {}).get("format") if isinstance(ex.body.get("text"), dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and "name" not in fmt:
        fmt["name"] = "response"
    return ex.body


violation(
    "structured-format-name-defaulted",
    "A json_schema format without a name is accepted because the gateway fills in a default name.",
    caught_by=("structured.json_schema.name_required",),
    on_request=_default_format_name,
)
