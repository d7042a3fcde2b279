"""Hosted tools: MCP (list, approval, call, headers) against a local MCP server, and image generation."""

from __future__ import annotations

import base64
from typing import Any

from refkit import MCP_TOKEN, Ref, text_of

from conformance.reference.engine import IMAGE_HEADER
from conformance.reference.mcp_server import McpServerHandle


def _mcp(server: McpServerHandle, **extra: Any) -> dict[str, Any]:
    return {"type": "mcp", "server_label": "local", "server_url": server.url, **extra}


def test_mcp_default_asks_for_approval_then_calls(ref: Ref, mcp_open: McpServerHandle) -> None:
    tools = [_mcp(mcp_open)]
    first = ref.ok({"model": "gpt-4o", "input": "Use echo to repeat: sunflower", "tools": tools})
    assert [i["type"] for i in first["output"]] == ["mcp_list_tools", "mcp_approval_request"]
    assert {t["name"] for t in first["output"][0]["tools"]} >= {"echo", "add"}
    request = first["output"][1]
    assert request["name"] == "echo" and "sunflower" in request["arguments"]
    answer = {"type": "mcp_approval_response", "approve": True, "approval_request_id": request["id"]}
    second = ref.ok({"model": "gpt-4o", "input": [answer], "previous_response_id": first["id"], "tools": tools})
    call = second["output"][0]
    assert call["type"] == "mcp_call" and call["approval_request_id"] == request["id"]
    assert "sunflower" in call["output"] and "sunflower" in text_of(second)


def test_mcp_denied_approval_makes_no_call(oa: Ref, mcp_open: McpServerHandle) -> None:
    tools = [_mcp(mcp_open)]
    first = oa.ok({"model": "gpt-4o", "input": "add 2 and 3", "tools": tools})
    request = first["output"][-1]
    answer = {"type": "mcp_approval_response", "approve": False, "approval_request_id": request["id"]}
    second = oa.ok({"model": "gpt-4o", "input": [answer], "previous_response_id": first["id"], "tools": tools})
    assert [i["type"] for i in second["output"]] == ["message"]


def test_mcp_never_calls_directly(ref: Ref, mcp_open: McpServerHandle) -> None:
    tools = [_mcp(mcp_open, require_approval="never")]
    response = ref.ok({"model": "gpt-4o", "input": "Use add with 2 and 3", "tools": tools})
    assert [i["type"] for i in response["output"]] == ["mcp_list_tools", "mcp_call", "message"]
    assert response["output"][1]["output"] == "5"


def test_mcp_headers_are_forwarded_and_not_echoed(oa: Ref, mcp_guarded: McpServerHandle) -> None:
    tool = _mcp(mcp_guarded, require_approval="never", headers={MCP_TOKEN[0]: MCP_TOKEN[1]})
    response = oa.ok({"model": "gpt-4o", "input": "echo hi", "tools": [tool]})
    assert response["output"][1]["type"] == "mcp_call" and response["output"][1]["error"] is None
    assert "mcp-secret" not in str(response)
    assert any(h.get("authorization") == MCP_TOKEN[1] for h in mcp_guarded.headers_seen)


def test_mcp_without_the_header_fails_cleanly(oa: Ref, mcp_guarded: McpServerHandle) -> None:
    response = oa.create({"model": "gpt-4o", "input": "echo hi", "tools": [_mcp(mcp_guarded)]})
    assert oa.error(response, 424)["type"] == "external_connector_error"


def test_mcp_streaming_events(ref: Ref, mcp_open: McpServerHandle) -> None:
    tools = [_mcp(mcp_open, require_approval="never")]
    types = [e["type"] for e in ref.stream({"model": "gpt-4o", "input": "echo streamed", "tools": tools})]
    assert "response.mcp_list_tools.completed" in types and "response.mcp_call.completed" in types


def _image_headers(ref: Ref) -> dict[str, str]:
    return {IMAGE_HEADER: "gpt-image-1"} if ref.flavor == "azure" else {}


def test_image_generation_returns_a_png(ref: Ref) -> None:
    body = {"model": "gpt-4o", "input": "Draw a red fox", "tools": [{"type": "image_generation"}]}
    response = ref.ok(body, headers=_image_headers(ref))
    item = response["output"][0]
    assert item["type"] == "image_generation_call"
    assert base64.b64decode(item["result"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_image_generation_streams_partial_images(ref: Ref) -> None:
    body = {"model": "gpt-4o", "input": "Draw a fox", "tools": [{"type": "image_generation", "partial_images": 2}]}
    stream = ref.stream(body, headers=_image_headers(ref))
    partials = [e for e in stream if e["type"] == "response.image_generation_call.partial_image"]
    assert [e["partial_image_index"] for e in partials] == [0, 1]
    assert all(base64.b64decode(e["partial_image_b64"]).startswith(b"\x89PNG") for e in partials)


def test_azure_image_tool_requires_the_deployment_header(az: Ref) -> None:
    body = {"model": "gpt-4o", "input": "Draw a fox", "tools": [{"type": "image_generation"}]}
    assert az.error(az.create(body), 400)["param"] == IMAGE_HEADER


def test_azure_refuses_the_web_search_tool(az: Ref, oa: Ref) -> None:
    body = {"model": "gpt-4o", "input": "News today?", "tools": [{"type": "web_search_preview"}]}
    assert az.error(az.create(body), 400)["param"] == "tools[0].type"
    assert oa.ok(body)["status"] == "completed"


def test_approval_response_must_name_an_approval_request(oa: Ref) -> None:
    first = oa.ok({"model": "gpt-4o", "input": "hi"})
    answer = {"type": "mcp_approval_response", "approve": True, "approval_request_id": first["output"][0]["id"]}
    bad = oa.create({"model": "gpt-4o", "input": [answer], "previous_response_id": first["id"]})
    assert oa.error(bad, 400)["param"] == "input[0].approval_request_id"


def test_mcp_approval_by_manual_chaining(oa: Ref, mcp_open: McpServerHandle) -> None:
    tools = [_mcp(mcp_open)]
    first_input = [{"role": "user", "content": "add 4 and 5"}]
    first = oa.ok({"model": "gpt-4o", "input": first_input, "tools": tools, "store": False})
    request = first["output"][-1]
    answer = {"type": "mcp_approval_response", "approve": True, "approval_request_id": request["id"]}
    second = oa.ok({"model": "gpt-4o", "input": [*first_input, *first["output"], answer], "tools": tools, "store": False})
    assert second["output"][0]["output"] == "9"
    broken = {**request, "id": "mcpr_broken", "arguments": "not json"}
    answer = {**answer, "approval_request_id": "mcpr_broken"}
    third = oa.ok({"model": "gpt-4o", "input": [broken, answer], "tools": tools, "store": False})
    assert third["output"][0]["error"]["type"] == "mcp_protocol_error"
    wrong = {**broken, "name": "add", "arguments": '{"a": "x", "b": 1}'}
    fourth = oa.ok({"model": "gpt-4o", "input": [wrong, answer], "tools": tools, "store": False})
    assert fourth["output"][0]["status"] == "failed"
    assert fourth["output"][0]["error"]["type"] == "mcp_tool_execution_error"
