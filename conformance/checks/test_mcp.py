"""The MCP tool: approval by default, approve and deny, require_approval never, headers, approvals in a chain.

The MCP server is the one the run provides (``mcp``): the suite's own server with the tools ``echo`` and
``add``, on loopback for the embedded targets or at a public URL (``--mcp-url``) for a live one. When its log
is at hand (``mcp.log``: the embedded server, or ``mcp-server`` with ``--mcp-log-token``) every ``mcp_call``
the target reports is checked against the ``tools/call`` requests the server really got, found by a probe
word unique to the check and the cell; otherwise the checks judge the target's own report and say so.
"""

from __future__ import annotations

import json
from typing import Any

from conformance.checks import _tokens
from conformance.checks._answers import accepted, items, output_types, room
from conformance.checks._check import HarnessError, McpServer, Skipped, check, expect
from conformance.checks._judge import Judge
from conformance.client import ResponsesClient
from conformance.contract.rules import Level
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml MCPTool (require_approval, headers), MCPApprovalRequest, MCPApprovalResponse, MCPToolCall"
AZURE = "Azure Responses how-to: MCP tool (approval by default, require_approval never, headers)"
LABEL = "conformance"
PROFILES = ("openai", "azure")  # the Open Responses specification has no MCP tool
PROBE = "x-conformance-probe"
UNVERIFIED = ("judged on the target's own report: the MCP server's log is not at hand (run responses-conformance "
              "mcp-server and give run its --mcp-log-token)")


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


def _word(word: str) -> str:
    """A word to echo unique to the check and the cell (reproducible under record and replay)."""
    return f"{word}-{_tokens.token_hex(6)}"


def _calls_for(mcp: McpServer, word: str) -> list[dict[str, Any]] | None:
    """The tools/call requests the suite's MCP server got with ``word`` in their arguments; None without a log."""
    if mcp.log is None:
        mcp.notes.append(UNVERIFIED)
        return None
    return [c for c in mcp.log.calls() if word in json.dumps(c.get("arguments"), ensure_ascii=False)]


def _summary(calls: list[dict[str, Any]]) -> list[Any]:
    return [{"tool": c.get("tool"), "arguments": c.get("arguments")} for c in calls]


def _verify_no_call(mcp: McpServer, word: str, what: str) -> None:
    """The MCP server got no tools/call for ``word`` (when its log is at hand)."""
    calls = _calls_for(mcp, word)
    if calls is not None:
        expect(not calls, f"{what}, yet the MCP server got a tools/call", expected="no tools/call",
               actual=_summary(calls))


def _verify_call(mcp: McpServer, word: str, call: dict[str, Any]) -> None:
    """The MCP server got exactly one tools/call for ``word``: the item's tool and arguments, and the item's
    output is the text the tool returned (when the server's log is at hand)."""
    calls = _calls_for(mcp, word)
    if calls is None:
        return
    expect(len(calls) == 1, f"the target reports an mcp_call but the MCP server got {len(calls)} tools/call for it",
           expected="exactly one tools/call", actual=_summary(calls))
    real = calls[0]
    try:
        sent = json.loads(call.get("arguments") or "")
    except (TypeError, ValueError):
        sent = call.get("arguments")
    same = isinstance(sent, dict) and all(sent.get(k) == v for k, v in (real.get("arguments") or {}).items())
    expect(real.get("tool") == call.get("name") and same, "the mcp_call's tool or arguments are not what the MCP "
           "server got", expected=_summary([real])[0], actual={"tool": call.get("name"), "arguments": sent})
    expect(call.get("output") == real.get("output"), "the mcp_call's output is not what the MCP tool returned",
           expected=real.get("output"), actual=call.get("output"))


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


def _ask_first(
    cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer, tool: dict[str, Any], word: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    first = accepted(client.create(_use_echo(cell, tool, word)), judge, "a request using an MCP tool")
    request = _approval_request(first, "a request using an MCP tool without require_approval")
    _verify_no_call(mcp, word, "the response asks for approval")
    return first, request


@check("mcp.approval.requested_by_default", spec=SPEC + "; " + AZURE, requires=("mcp",), profiles=PROFILES)
def test_mcp_tool_asks_for_approval_by_default(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """An MCP tool without require_approval MUST ask with an mcp_approval_request and make no call before approval."""
    _ask_first(cell, client, judge, mcp, _tool(mcp), _word("sunflower"))


@check("mcp.approval.approve_calls", spec=SPEC + "; " + AZURE, requires=("mcp", "store"), profiles=PROFILES)
def test_approved_request_gives_the_mcp_call(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """Approving the request MUST give an mcp_call linked to it by approval_request_id, with the tool's output."""
    tool, word = _tool(mcp), _word("sunflower")
    first, request = _ask_first(cell, client, judge, mcp, tool, word)
    second = accepted(client.create(_answer(cell, tool, first, request["id"], True)), judge, "an approval")
    _verify_call(mcp, word, _approved_call(second, request["id"]))


@check("mcp.approval.deny_no_call", spec=SPEC + "; " + AZURE, requires=("mcp", "store"), profiles=PROFILES)
def test_denied_request_makes_no_mcp_call(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """Denying the request (approve false) MUST give no mcp_call."""
    tool, word = _tool(mcp), _word("sunflower")
    first, request = _ask_first(cell, client, judge, mcp, tool, word)
    second = accepted(client.create(_answer(cell, tool, first, request["id"], False)), judge, "a denial")
    expect(not items(second, "mcp_call"), "the MCP tool was called although the approval was denied",
           expected="no mcp_call", actual=output_types(second))
    _verify_no_call(mcp, word, "the approval was denied")


@check("mcp.require_approval.never_calls", spec=SPEC + "; " + AZURE, requires=("mcp",), profiles=PROFILES)
def test_never_requiring_approval_calls_directly(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """With require_approval never, the response MUST carry the mcp_call with its output and ask for no approval."""
    word = _word("tulip")
    response = accepted(client.create(_use_echo(cell, _tool(mcp, require_approval="never"), word)), judge,
                        "a request using an MCP tool with require_approval never")
    expect(not items(response, "mcp_approval_request"), "approval was requested although require_approval is never",
           expected="no mcp_approval_request", actual=output_types(response))
    calls = items(response, "mcp_call")
    expect(bool(calls) and isinstance(calls[0].get("output"), str) and not calls[0].get("error"),
           "the MCP tool was not called with an output", expected="an mcp_call with output and no error",
           actual=calls[0] if calls else output_types(response))
    _verify_call(mcp, word, calls[0])


def _probed(mcp: McpServer) -> tuple[dict[str, Any], str]:
    probe = _tokens.token_hex(12)
    tool = _tool(mcp, require_approval="never")
    tool["headers"] = {**dict(mcp.headers), PROBE: probe}
    return tool, probe


@check("mcp.headers.forwarded", spec=SPEC + "; " + AZURE, requires=("mcp",), profiles=PROFILES)
def test_mcp_tool_headers_reach_the_server(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """The headers of an MCP tool MUST be sent to the MCP server with its requests."""
    if mcp.log is None and not mcp.headers:
        raise Skipped("the MCP server neither reports the headers it gets nor requires any (give mcp_headers_env)")
    tool, _ = _probed(mcp)
    word = _word("tulip")
    response = accepted(client.create(_use_echo(cell, tool, word)), judge, "an MCP tool with headers")
    calls = items(response, "mcp_call")
    expect(bool(calls) and not calls[0].get("error"), "the MCP call failed: the server did not get what it needs",
           expected="an mcp_call without error", actual=calls[0] if calls else output_types(response))
    got = _calls_for(mcp, word)
    if got is not None:
        wanted = {name.lower(): value for name, value in tool["headers"].items()}
        heard = [c.get("headers") or {} for c in got]
        expect(bool(heard) and all(all(h.get(k) == v for k, v in wanted.items()) for h in heard),
               "the MCP server did not get the tool's headers with its tools/call", expected=sorted(wanted),
               actual=[sorted(k for k in h if k in wanted) for h in heard] or "no tools/call for this check")


@check("mcp.headers.not_echoed", spec=SPEC + " (headers are secrets)", level=Level.SHOULD, requires=("mcp",),
       profiles=PROFILES)
def test_mcp_header_values_are_not_echoed(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """The response SHOULD NOT echo the values of the MCP tool's headers (they are credentials)."""
    tool, probe = _probed(mcp)
    answer = client.create(_use_echo(cell, tool, _word("tulip")))
    response = accepted(answer, judge, "an MCP tool with headers")
    echoed = [t for t in response.get("tools") or [] if isinstance(t, dict) and t.get("type") == "mcp"]
    if not echoed:
        raise HarnessError("not judged: the response lists no mcp tool, so whether it echoes the tool's headers "
                           "cannot be told")
    expect(probe not in answer.text, "the response echoes an MCP header value",
           expected="header values redacted or omitted", actual=f"the value of {PROBE} appears in the response")


@check("mcp.approval.second_in_chain", spec=SPEC + "; " + AZURE, requires=("mcp", "store"), profiles=PROFILES)
def test_second_tool_use_in_a_chain_asks_again(cell: Cell, client: ResponsesClient, judge: Judge, mcp: McpServer) -> None:
    """A second MCP tool use later in the same chain MUST ask for approval again, and approving it gives its own call."""
    tool, word, later = _tool(mcp), _word("sunflower"), _word("tulip")
    first, request = _ask_first(cell, client, judge, mcp, tool, word)
    second = accepted(client.create(_answer(cell, tool, first, request["id"], True)), judge, "an approval")
    _verify_call(mcp, word, _approved_call(second, request["id"]))
    body = _use_echo(cell, tool, later, previous_response_id=second["id"])
    third = accepted(client.create(body), judge, "a second MCP tool use in the chain")
    again = _approval_request(third, "a second MCP tool use in the chain")
    _verify_no_call(mcp, later, "the second tool use asks for approval")
    expect(again["id"] != request["id"], "the second approval request reuses the first one's id",
           expected="a new approval request id", actual=again["id"])
    fourth = accepted(client.create(_answer(cell, tool, third, again["id"], True)), judge, "the second approval")
    _verify_call(mcp, later, _approved_call(fourth, again["id"]))
