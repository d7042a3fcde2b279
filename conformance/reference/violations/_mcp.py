"""Violations of the MCP checks: approvals, require_approval and the headers of MCP tools."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import has_input, output_items, request_items


def _tools(body: Any, kind: str) -> list[dict[str, Any]]:
    tools = body.get("tools") if isinstance(body, dict) else None
    return [t for t in tools if isinstance(t, dict) and t.get("type") == kind] if isinstance(tools, list) else []


def _default_never(ex: Exchange) -> Any:
    for tool in _tools(ex.body, "mcp"):
        tool.setdefault("require_approval", "never")
    return ex.body


violation(
    "mcp-default-never",
    "An MCP tool without require_approval is called at once: the server defaults to never instead of always.",
    caught_by=("mcp.approval.requested_by_default",),
    on_request=_default_never,
)


def _unlink_call(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and ex.is_create and has_input(ex, "mcp_approval_response"):
        for call in output_items(value, "mcp_call"):
            call["approval_request_id"] = None
    return status, value


violation(
    "mcp-call-unlinked",
    "The mcp_call run after an approval does not carry the approval_request_id it answers.",
    caught_by=("mcp.approval.approve_calls",),
    on_json=_unlink_call,
)


def _denial_ignored(ex: Exchange) -> Any:
    for item in request_items(ex):
        if item.get("type") == "mcp_approval_response":
            item["approve"] = True
    return ex.body


violation(
    "mcp-denial-ignored",
    "A denied approval (approve: false) runs the tool anyway (a gateway coercing the boolean, e.g. bool('false')).",
    caught_by=("mcp.approval.deny_no_call",),
    on_request=_denial_ignored,
)


def _drop_require_approval(ex: Exchange) -> Any:
    for tool in _tools(ex.body, "mcp"):
        tool.pop("require_approval", None)
    return ex.body


violation(
    "mcp-require-approval-dropped",
    "require_approval is dropped on the way to the server (a gateway passing only the fields it knows), so "
    "'never' still asks for approval.",
    caught_by=("mcp.require_approval.never_calls",),
    on_request=_drop_require_approval,
)


def _drop_headers(ex: Exchange) -> Any:
    for tool in _tools(ex.body, "mcp"):
        tool.pop("headers", None)
    return ex.body


violation(
    "mcp-headers-dropped",
    "The MCP tool's headers never reach the MCP server (a gateway stripping them as secrets).",
    caught_by=("mcp.headers.forwarded",),
    on_request=_drop_headers,
)


def _echo_headers(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    sent = _tools(ex.body, "mcp") if ex.is_create else []
    if status == 200 and sent and isinstance(value.get("tools"), list):
        value["tools"] = [
            {**tool, "headers": sent[i].get("headers")} if tool.get("type") == "mcp" and i < len(sent) else tool
            for i, tool in enumerate(value["tools"])
        ]
    return status, value


violation(
    "mcp-headers-echoed",
    "The response echoes the MCP tool's header values (credentials) in its tools.",
    caught_by=("mcp.headers.not_echoed",),
    on_json=_echo_headers,
)


def _approval_remembered(ex: Exchange) -> Any:
    later = ex.is_create and isinstance(ex.body.get("previous_response_id"), str)
    if later and not has_input(ex, "mcp_approval_response"):
        for tool in _tools(ex.body, "mcp"):
            tool["require_approval"] = "never"
    return ex.body


violation(
    "mcp-approval-remembered",
    "Once one call was approved, later tool uses in the chain run without asking (approval cached per server).",
    caught_by=("mcp.approval.second_in_chain",),
    on_request=_approval_remembered,
)
