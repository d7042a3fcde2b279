"""Streaming: the contract core's grammar and invariants on streamed answers, and the profiles' stream rules.

Every stream is judged whole (each event's schema, the grammar, the invariants of conformance/contract/);
each check adds the one assertion its sentence makes.
"""

from __future__ import annotations

import time
from typing import Any

from conformance.checks._check import HarnessError, Tier, check, expect
from conformance.checks._exchanges import expect_rules, sent, streamed
from conformance.checks._judge import STREAM, Judge
from conformance.checks._streams import (
    TRUNCATED_PROMPT,
    TRUNCATED_TOKENS,
    WEATHER_TOOL,
    count_request,
    expect_answer,
    payloads,
    request,
    stream_all,
)
from conformance.client import ApiResponse, ResponsesClient
from conformance.contract.grammar import TERMINAL_TYPES
from conformance.contract.sse import ServerSentEvent
from conformance.matrix import Cell

OR_ITEMS = "Open Responses specification 2026-04-24, §Items are streamable"
OR_STREAMING = "Open Responses specification 2026-04-24, §Streaming HTTP Responses"
OPENAI_EVENTS = "openai-openapi.yaml ResponseStreamEvent (createResponse, stream: true)"
FUNCTION_PROMPT = "What is the weather in Paris? Use the get_weather tool."
REASONING_PROMPT = "What is 17 * 3?"
STORE_LAG_WAITS = (0.0, 0.5, 1.0)


def _final(judge: Judge, events: list[ServerSentEvent]) -> tuple[str, dict[str, Any]]:
    """Judge a whole stream; the type of its terminal event and the response it carries."""
    result = judge.stream(events)
    terminal: dict[str, Any] = next((p for p in reversed(payloads(events)) if p.get("type") in TERMINAL_TYPES), {})
    expect(result.final_response is not None, "the terminal event carries no response object",
           expected="a response object", actual=terminal.get("response"))
    assert result.final_response is not None
    return str(terminal.get("type")), result.final_response


def _retrieve_stored(client: ResponsesClient, response_id: str) -> ApiResponse:
    """GET the response, asking again for up to 1.5 s while it is not found: a store that lags behind the
    stream is the finding of chaining.read_after_write, not of this check (every attempt is in the evidence)."""
    for wait in STORE_LAG_WAITS:
        time.sleep(wait)
        answer = client.retrieve(response_id)
        if answer.status_code != 404:
            break
    return answer


def _expect_every_item_streamed(events: list[ServerSentEvent], final: dict[str, Any]) -> None:
    """Each item of the final output was streamed: one response.output_item.done per output_index."""
    done = [p.get("output_index") for p in payloads(events) if p.get("type") == "response.output_item.done"]
    count = len(final.get("output") or [])
    indexes = sorted(i for i in done if isinstance(i, int))
    expect(indexes == list(range(count)) and len(done) == count,
           "the stream does not carry every output item of its final response",
           expected=f"response.output_item.done for output_index 0..{count - 1}", actual=f"for {done}")


@check("streaming.text.conforms", owns=STREAM, spec=f"{OPENAI_EVENTS}; {OR_ITEMS}", requires=("streaming",), tier=Tier.smoke)
def test_streamed_text_answer_conforms(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A streamed text answer MUST follow the event grammar and invariants and stream every item of its final output."""
    events = stream_all(client, count_request(cell))
    terminal, final = _final(judge, events)
    expect(terminal in ("response.completed", "response.incomplete"), "the text answer did not finish",
           expected="response.completed or response.incomplete", actual=terminal)
    _expect_every_item_streamed(events, final)
    has_text = any(c.get("text") for item in final.get("output") or [] if item.get("type") == "message"
                   for c in item.get("content") or [])
    deltas = [p for p in payloads(events) if p.get("type") == "response.output_text.delta"]
    expect(bool(deltas) or not has_text, "the answer's text was not streamed as response.output_text.delta events",
           expected="at least one response.output_text.delta", actual="none")


@check(
    "streaming.function_call.conforms", owns=STREAM,
    spec=f"{OPENAI_EVENTS} (response.function_call_arguments.delta / .done); {OR_ITEMS}",
    requires=("streaming", "function_calling"),
)
def test_streamed_function_call_conforms(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A streamed forced function call MUST follow the grammar and invariants, its arguments sent as argument deltas."""
    body = request(cell, FUNCTION_PROMPT, 64, tools=[WEATHER_TOOL], parallel_tool_calls=False,
                   tool_choice={"type": "function", "name": "get_weather"})
    events = stream_all(client, body)
    _, final = _final(judge, events)
    _expect_every_item_streamed(events, final)
    calls = [item for item in final.get("output") or [] if item.get("type") == "function_call"]
    expect(len(calls) == 1 and calls[0].get("name") == "get_weather", "the forced function call is not in the output",
           expected="one function_call item named get_weather", actual=[c.get("name") for c in calls])
    kinds = {(p.get("type"), p.get("item_id")) for p in payloads(events)}
    for kind in ("response.function_call_arguments.delta", "response.function_call_arguments.done"):
        expect((kind, calls[0].get("id")) in kinds, f"the call's arguments were not streamed with {kind}",
               expected=f"{kind} for item {calls[0].get('id')}", actual="none")


@check(
    "streaming.reasoning.conforms", owns=STREAM,
    spec=f"{OPENAI_EVENTS} (response.reasoning_summary_part.*, response.reasoning_summary_text.*); "
    "Azure v1 preview spec (response.reasoning_summary.delta); " + OR_ITEMS,
    requires=("streaming", "reasoning"),
)
def test_streamed_reasoning_answer_conforms(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A streamed reasoning answer MUST follow the grammar and invariants and stream its reasoning item."""
    body = request(cell, REASONING_PROMPT, 64, reasoning={"effort": "low", "summary": "auto"})
    events = stream_all(client, body)
    _, final = _final(judge, events)
    _expect_every_item_streamed(events, final)
    reasoning = [item for item in final.get("output") or [] if item.get("type") == "reasoning"]
    expect(bool(reasoning), "the reasoning model's answer carries no reasoning item",
           expected="a reasoning output item", actual=[item.get("type") for item in final.get("output") or []])


RETRIEVE_EQUALS = "exchange.retrieve.equals_create"  # the one judge of a retrieve against what created it


@check(
    "streaming.retrieve.equals_streamed",
    spec="openai-openapi.yaml getResponse; Azure Responses how-to (retrieve by id); the exchange rule "
    + RETRIEVE_EQUALS + " (its source counts what real servers change)",
    requires=("streaming", "store"),
)
def test_retrieved_response_equals_streamed_response(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A response retrieved after its stream MUST equal its terminal one in identity, status, output and usage.

    Identity is id, model, previous_response_id, instructions and tools. billing, service_tier and
    completed_at may differ: real OpenAI adds billing to JSON bodies but never to a stream's events, resolves
    service_tier auto to default once the response runs, and sets completed_at on completion.
    """
    body = {**count_request(cell), "store": True}
    events = stream_all(client, body)
    _, final = _final(judge, events)
    reply = _retrieve_stored(client, str(final.get("id")))
    judge.response(expect_answer(reply, "the retrieve"))
    seen = [streamed({**body, "stream": True}, events), sent("GET", f"/responses/{final.get('id')}", reply)]
    expect_rules("the retrieved response differs from the stream's terminal response", judge.profile, seen,
                 RETRIEVE_EQUALS)


@check(
    "streaming.sentinel.absent", owns=("stream.done_sentinel",),
    spec="openai-openapi.yaml and Azure v1 preview spec (no [DONE] sentinel); " + OR_STREAMING,
    requires=("streaming",),
    profiles=("openai", "azure"),
)
def test_no_done_sentinel_on_openai_and_azure(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An openai or azure stream MUST end with its terminal event, without a `data: [DONE]` sentinel."""
    events = stream_all(client, count_request(cell))
    judge.stream(events, f"the {cell.profile} stream sends the [DONE] sentinel")  # it owns stream.done_sentinel
    if not any(p.get("type") in TERMINAL_TYPES for p in payloads(events)):
        raise HarnessError("not judged: the stream has no terminal event, so how it ends cannot be told "
                           f"({len(events)} events)")
    found = [i for i, e in enumerate(events) if e.data.strip() == "[DONE]"]
    expect(not found, f"the {cell.profile} stream sends the [DONE] sentinel", expected="no sentinel",
           actual=f"data: [DONE] at event {found[0] if found else ''}")


@check(
    "streaming.incomplete.conforms", owns=("stream.terminal.*",),
    spec=f"{OPENAI_EVENTS} (response.incomplete); openai-openapi.yaml Response.incomplete_details",
    requires=("streaming",),
)
def test_truncated_stream_ends_incomplete(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A stream cut short by max_output_tokens MUST end with response.incomplete, reason max_output_tokens."""
    events = stream_all(client, {"input": TRUNCATED_PROMPT, "max_output_tokens": TRUNCATED_TOKENS})
    terminal, final = _final(judge, events)
    reason = (final.get("incomplete_details") or {}).get("reason")
    expect(terminal == "response.incomplete" and reason == "max_output_tokens",
           "the truncated answer did not end as incomplete for max_output_tokens",
           expected="response.incomplete with incomplete_details.reason max_output_tokens",
           actual=f"{terminal} with reason {reason!r}")
