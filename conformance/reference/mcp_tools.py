"""The MCP tool: list a server's tools, ask for approval or call, and answer approval responses."""

from __future__ import annotations

from typing import Any

import orjson

from conformance.reference import mcp_client, model
from conformance.reference.errors import ApiError, bad_request
from conformance.reference.items import Prepared, message, new_id


class McpTools:
    """MCP servers reached with the ``mcp`` SDK client over streamable HTTP."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def _mcp_tool(self, label: Any, p: Prepared) -> dict[str, Any]:
        for tool in (p.body.get("tools") or []) + p.earlier_tools[::-1]:
            if tool.get("type") == "mcp" and tool.get("server_label") == label:
                return dict(tool)
        raise bad_request(f"No MCP tool with server_label '{label}' in this request.", "tools")

    @staticmethod
    def _headers(tool: dict[str, Any]) -> dict[str, str]:
        headers = {str(k): str(v) for k, v in (tool.get("headers") or {}).items() if v is not None}
        if isinstance(tool.get("authorization"), str):
            headers["Authorization"] = "Bearer " + tool["authorization"]
        return headers

    async def _list(self, tool: dict[str, Any], p: Prepared) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        label = tool.get("server_label")
        for item in reversed(p.history):
            if item.get("type") == "mcp_list_tools" and item.get("server_label") == label:
                return list(item.get("tools", [])), None
        try:
            listed = await mcp_client.list_tools(
                str(tool["server_url"]), self._headers(tool), timeout=self.timeout
            )
        except mcp_client.McpError as exc:
            raise ApiError(
                424, f"Error retrieving tool list from MCP server: '{label}'. {exc}", type="external_connector_error", code="http_error"
            ) from None
        allowed = tool.get("allowed_tools")
        names = allowed if isinstance(allowed, list) else (allowed or {}).get("tool_names") if isinstance(allowed, dict) else None
        if isinstance(names, list):
            listed = [t for t in listed if t.get("name") in names]
        described = [{**t, "annotations": t.get("annotations")} for t in listed]
        return described, {"id": new_id("mcpl"), "type": "mcp_list_tools", "server_label": label, "tools": described}

    async def run(self, p: Prepared, conv: model.Conversation) -> list[dict[str, Any]]:
        output: list[dict[str, Any]] = []
        candidates: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for tool in (t for t in p.body.get("tools") or [] if t.get("type") == "mcp"):
            listed, item = await self._list(tool, p)
            if item is not None:
                output.append(item)
            candidates += [(tool, t) for t in listed]
        if not candidates:
            return [*output, message(model.reply(conv))]
        lowered = conv.prompt.lower()
        server, chosen = next(((s, t) for s, t in candidates if str(t.get("name")).lower() in lowered), candidates[0])
        args = model.arguments({"parameters": chosen.get("input_schema")}, conv.prompt)
        if _needs_approval(server, str(chosen.get("name"))):
            output.append(
                {
                    "id": new_id("mcpr"),
                    "type": "mcp_approval_request",
                    "arguments": args,
                    "name": chosen.get("name"),
                    "server_label": server.get("server_label"),
                }
            )
            return output
        call = await self._call(server, str(chosen.get("name")), args, None)
        return [*output, call, message(model.tool_reply([_result(call)]))]

    async def _call(self, server: dict[str, Any], name: str, args: str, approval: str | None) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": new_id("mcp"),
            "type": "mcp_call",
            "status": "completed",
            "approval_request_id": approval,
            "arguments": args,
            "error": None,
            "name": name,
            "output": None,
            "server_label": server.get("server_label"),
        }
        try:
            arguments = orjson.loads(args)
            if not isinstance(arguments, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            error = {"type": "mcp_protocol_error", "code": -32602, "message": f"The arguments are not a JSON object: {exc}"}
            item.update(status="failed", error=error)
            return item
        try:
            text, is_error = await mcp_client.call_tool(
                str(server["server_url"]), self._headers(server), name, arguments, timeout=self.timeout
            )
        except mcp_client.McpError as exc:
            item.update(status="failed", error={"type": "http_error", "message": str(exc)})
            return item
        if is_error:
            item.update(status="failed", error={"type": "mcp_tool_execution_error", "content": [{"type": "text", "text": text}]})
        else:
            item["output"] = text
        return item

    async def approved(self, p: Prepared, approvals: list[dict[str, Any]]) -> list[dict[str, Any]]:
        requests = {x.get("id"): x for x in p.history + p.items if x.get("type") == "mcp_approval_request"}
        output: list[dict[str, Any]] = []
        results: list[tuple[str, str]] = []
        for answer in approvals:
            request = requests[answer["approval_request_id"]]
            if answer.get("approve") is True:
                server = self._mcp_tool(request.get("server_label"), p)
                call = await self._call(server, str(request.get("name")), str(request.get("arguments", "{}")), request["id"])
                output.append(call)
                results.append(_result(call))
        text = model.tool_reply(results) if results else "The tool call was not approved, so I did not run it."
        return [*output, message(text)]



def _needs_approval(server: dict[str, Any], name: str) -> bool:
    policy = server.get("require_approval", "always")
    if policy == "never":
        return False
    if isinstance(policy, dict):
        never = (policy.get("never") or {}).get("tool_names") or []
        return name not in never
    return True


def _result(call: dict[str, Any]) -> tuple[str, str]:
    """(tool name, output or error text) of an mcp_call item, for the model's answer."""
    error = call.get("error")
    if isinstance(error, dict):
        content = error.get("content") or [{"text": error.get("message", "")}]
        return str(call["name"]), "an error: " + " ".join(str(c.get("text", "")) for c in content)
    return str(call["name"]), str(call.get("output"))
