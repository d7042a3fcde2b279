"""The MCP tool: approval by default, approve and deny, require_approval never, headers, approvals in a chain.

The MCP server is the one the run provides (``mcp``): the suite's own server with the tools ``echo`` and
``add``, on loopback for the embedded targets or at a public URL (``--mcp-url``) for a live one.
"""

from __future__ import annotations

from typing import Any

from conformance.checks import _tokens
from conformance.checks._answers import accepted, items, output_types, room
from conformance.checks._check import McpServer, Skipped, check, expect
from conformance.checks._judge import Judge
from conformance.client import ResponsesClient
from conformance.contract.rules import Level
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml MCPTool (require_approval, headers), MCPApprovalRequest, MCPApprovalResponse, MCPToolCall"
AZURE = "Azure Responses how-to: MCP tool (approval by default, require_approval never, headers)"
LABEL = "conformance"
PROFILES = ("openai", "azure")  # the Open Responses specification has no MCP tool
PROBE = "x-conformance-probe"


def _tool(mcp: McpServer, **extra: Any) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": "mcp", "server_label": LABEL, "server_url": mcp.url, "allowed_tools": ["echo"]}
    if mcp.headers:
        tool["headers"] = dict(mcp.headers)
    return {**tool, **extra}


def _use_echo(cell: Cell, tool: dict[str, Any], word: str, **extra: Any) -> dict[str, Any]:
    prompt = f"Use the echo tool to echo the text: {word}"
    return {"input": prompt, "tools": [tool], "tool_choice": "required", **room(cell, 64), **extra}


def _answer(cell: Cell, tool: dict[str, Any], previous: dict[str, Any], request_id: Any, approve: bool) -> dict[str, Any]:
    reply = {"type": "mcp_approval_response", "approve": approve, "approval_request_id": request_id}
    return {"input": [reply], "previous_response_id": previous["id"], "tools": [tool], **room(cell, 64)}


def _approval_request(response: dict[str, Any], what: str) -> dict[str, Any]:
    """The one approval request of a response that must ask before calling, and no call."""
    requests = items(response, "mcp_approval_request")
    expect(bool(requests), f"{what} did not ask for approval", expected="an mcp_approval_request item",
           actual=output_types(response))
    expect(not items(response, "mcp_call"), f"{what} called the MCP tool before approval",
           expected="no mcp_call before an mcp_approval_response", actual=output_types(response))
    request = requests[0]
    expect(isinstance(request.get("id"), str) and request.get("server_label") == LABEL and request.get("name") == "echo",
           "the approval request does not name its id, server_label and tool",
           expected=f"id, server_label {LABEL}, name echo", actual=request)
    return request


def _approved_call(response: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The mcp_call an approval ran: linked to the request, with output and no error."""
    calls = [c for c in items(response, "mcp_call") if c.get("approval_request_id") == request_id]
    expect(bool(calls), "the approved tool was not called", expected=f"an mcp_call with approval_request_id {request_id}",
           actual=[(c.get("type"), c.get("approval_request_id")) for c in response.get("output") or []])
    call = calls[0]
    expect(isinstance(call.get("output"), str) and not call.get("error"), "the approved mcp_call has no output",
           expected="output text and no error", actual={"output": call.get("output"), "error": call.get("error")})
    return call


def _ask_first(cell: Cell, client: ResponsesClient, judge: Judge, tool: dict[str, Any], word: str) -> tuple[dict[str, Any], dict[str, Any]]:
    first = accepted(client.create(_use_echo(cell, tool, word)), judge, "a request using an MCP tool")
    return first, _approval_request(first, "a request using an MCP tool without require_approval")


@check("mcp.approval.requested_by_default", spec=SPEC + "; " + AZURE, requires=("mcp",), profiles=PROFILES)
def test_mcp_tool_asks_for_approval_by_default(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """An MCP tool without require_approval MUST ask with an mcp_approval_request and make no call before approval."""
    _ask_first(cell, client, judge, _tool(mcp), "sunflower")


@check("mcp.approval.approve_calls", spec=SPEC + "; " + AZURE, requires=("mcp", "store"), profiles=PROFILES)
def test_approved_request_gives_the_mcp_call(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """Approving the request MUST give an mcp_call linked to it by approval_request_id, with the tool's output."""
    tool = _tool(mcp)
    first, request = _ask_first(cell, client, judge, tool, "sunflower")
    second = accepted(client.create(_answer(cell, tool, first, request["id"], True)), judge, "an approval")
    _approved_call(second, request["id"])


@check("mcp.approval.deny_no_call", spec=SPEC + "; " + AZURE, requires=("mcp", "store"), profiles=PROFILES)
def test_denied_request_makes_no_mcp_call(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """Denying the request (approve false) MUST give no mcp_call."""
    tool = _tool(mcp)
    first, request = _ask_first(cell, client, judge, tool, "sunflower")
    second = accepted(client.create(_answer(cell, tool, first, request["id"], False)), judge, "a denial")
    expect(not items(second, "mcp_call"), "the MCP tool was called although the approval was denied",
           expected="no mcp_call", actual=output_types(second))


@check("mcp.require_approval.never_calls", spec=SPEC + "; " + AZURE, requires=("mcp",), profiles=PROFILES)
def test_never_requiring_approval_calls_directly(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """With require_approval never, the response MUST carry the mcp_call with its output and ask for no approval."""
    response = accepted(client.create(_use_echo(cell, _tool(mcp, require_approval="never"), "tulip")), judge,
                        "a request using an MCP tool with require_approval never")
    expect(not items(response, "mcp_approval_request"), "approval was requested although require_approval is never",
           expected="no mcp_approval_request", actual=output_types(response))
    calls = items(response, "mcp_call")
    expect(bool(calls) and isinstance(calls[0].get("output"), str) and not calls[0].get("error"),
           "the MCP tool was not called with an output", expected="an mcp_call with output and no error",
           actual=calls[0] if calls else output_types(response))


def _probed(mcp: McpServer) -> tuple[dict[str, Any], str]:
    probe = _tokens.token_hex(12)
    tool = _tool(mcp, require_approval="never")
    tool["headers"] = {**dict(mcp.headers), PROBE: probe}
    return tool, probe


@check("mcp.headers.forwarded", spec=SPEC + "; " + AZURE, requires=("mcp",), profiles=PROFILES)
def test_mcp_tool_headers_reach_the_server(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """The headers of an MCP tool MUST be sent to the MCP server with its requests."""
    if mcp.seen is None and not mcp.headers:
        raise Skipped("the MCP server neither reports the headers it gets nor requires any (give mcp_headers_env)")
    tool, probe = _probed(mcp)
    response = accepted(client.create(_use_echo(cell, tool, "tulip")), judge, "an MCP tool with headers")
    calls = items(response, "mcp_call")
    expect(bool(calls) and not calls[0].get("error"), "the MCP call failed: the server did not get what it needs",
           expected="an mcp_call without error", actual=calls[0] if calls else output_types(response))
    if mcp.seen is not None:
        wanted = {name.lower(): value for name, value in tool["headers"].items()}
        got = [h for h in mcp.seen if h.get(PROBE) == probe]
        expect(bool(got) and all(got[0].get(k) == v for k, v in wanted.items()),
               "the MCP server did not get the tool's headers", expected=sorted(wanted),
               actual=sorted(got[0]) if got else "no request with this check's probe header")


@check("mcp.headers.not_echoed", spec=SPEC + " (headers are secrets)", level=Level.SHOULD, requires=("mcp",),
       profiles=PROFILES)
def test_mcp_header_values_are_not_echoed(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """The response SHOULD NOT echo the values of the MCP tool's headers (they are credentials)."""
    tool, probe = _probed(mcp)
    answer = client.create(_use_echo(cell, tool, "tulip"))
    accepted(answer, judge, "an MCP tool with headers")
    expect(probe not in answer.text, "the response echoes an MCP header value",
           expected="header values redacted or omitted", actual=f"the value of {PROBE} appears in the response")


@check("mcp.approval.second_in_chain", spec=SPEC + "; " + AZURE, requires=("mcp", "store"), profiles=PROFILES)
def test_second_tool_use_in_a_chain_asks_again(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """A second MCP tool use later in the same chain MUST ask for approval again, and approving it gives its own call."""
    tool = _tool(mcp)
    first, request = _ask_first(cell, client, judge, tool, "sunflower")
    second = accepted(client.create(_answer(cell, tool, first, request["id"], True)), judge, "an approval")
    _approved_call(second, request["id"])
    body = _use_echo(cell, tool, "tulip", previous_response_id=second["id"])
    third = accepted(client.create(body), judge, "a second MCP tool use in the chain")
    again = _approval_request(third, "a second MCP tool use in the chain")
    expect(again["id"] != request["id"], "the second approval request reuses the first one's id",
           expected="a new approval request id", actual=again["id"])
    fourth = accepted(client.create(_answer(cell, tool, third, again["id"], True)), judge, "the second approval")
    _approved_call(fourth, again["id"])
