"""Function calling: forced calls, arguments against the declared schema, the round trip, streamed arguments."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from conformance.checks._answers import accepted, completed, items, output_text, refused, room, streamed
from conformance.checks._check import Tier, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.client import ResponsesClient
from conformance.contract.rules import Level
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml createResponse (tools, tool_choice), FunctionToolCall, FunctionCallOutputItemParam"
AZURE = "Azure Responses how-to: function calling (function_call → function_call_output with previous_response_id)"

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "The city name, e.g. Paris"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
    "strict": True,
}
FORCED = {"type": "function", "name": "get_weather"}
PROMPT = "What is the weather like in Paris today? Use celsius."
TOOL_OUTPUT = '{"temperature": 22, "unit": "celsius", "sky": "sunny"}'


def _forced_call(cell: Cell, client: ResponsesClient, judge: Judge) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ask with tool_choice naming get_weather; the response and its one get_weather call."""
    body = {"input": PROMPT, "tools": [WEATHER], "tool_choice": FORCED, **room(cell, 64)}
    response = accepted(client.create(body), judge, "a request forcing the get_weather function")
    calls = items(response, "function_call")
    expect(len(calls) >= 1, "a forced tool_choice gave no function_call item",
           expected="a function_call for get_weather", actual=[x.get("type") for x in response["output"]])
    call = calls[0]
    expect(call.get("name") == "get_weather", "the forced function_call names another function",
           expected="get_weather", actual=call.get("name"))
    return response, call


def _arguments(call: dict[str, Any]) -> Any:
    raw = call.get("arguments")
    try:
        return json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


@check("functions.tool_choice.forced_call", spec=SPEC + "; " + AZURE, requires=("function_calling",), tier=Tier.smoke)
def test_forced_tool_choice_gives_a_function_call(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A tool_choice naming a function MUST be answered with a function_call for it, with a call_id and JSON arguments."""
    _, call = _forced_call(cell, client, judge)
    expect(isinstance(call.get("call_id"), str) and bool(call["call_id"]), "the function_call has no call_id",
           actual=call.get("call_id"))
    expect(isinstance(_arguments(call), dict), "the function_call's arguments are not a JSON object",
           actual=call.get("arguments"))


@check("functions.arguments.match_schema", spec=SPEC + " (strict function parameters)", requires=("function_calling",))
def test_arguments_are_valid_against_the_declared_parameters(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The arguments of a forced strict function call MUST be JSON valid against the function's parameters schema."""
    _, call = _forced_call(cell, client, judge)
    arguments = _arguments(call)
    expect(arguments is not None, "the arguments are not JSON", actual=call.get("arguments"))
    errors = sorted(Draft202012Validator(WEATHER["parameters"]).iter_errors(arguments), key=str)
    expect(not errors, "the arguments do not match the declared parameters schema",
           expected="city (string) and unit (celsius|fahrenheit), nothing else",
           actual=f"{call.get('arguments')}: {errors[0].message if errors else ''}")


def _round_trip(cell: Cell, client: ResponsesClient, judge: Judge) -> dict[str, Any]:
    first, call = _forced_call(cell, client, judge)
    answer = {"type": "function_call_output", "call_id": call.get("call_id"), "output": TOOL_OUTPUT}
    body = {"input": [answer], "previous_response_id": first["id"], "tools": [WEATHER], **room(cell, 64)}
    return completed(client.create(body), judge, "a function_call_output for the call (previous_response_id)")


@check("functions.round_trip.answer", spec=SPEC + "; " + AZURE, requires=("function_calling", "store"))
def test_function_call_output_round_trip_gives_an_answer(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A function_call_output for the call, sent with previous_response_id, MUST be accepted and answered with a message."""
    response = _round_trip(cell, client, judge)
    expect(bool(items(response, "message")) and bool(output_text(response).strip()),
           "the answer after the function_call_output holds no assistant text",
           expected="an assistant message", actual=[x.get("type") for x in response["output"]])


@check("functions.round_trip.uses_output", spec=AZURE, level=Level.SHOULD, requires=("function_calling", "store"))
def test_answer_after_function_call_output_uses_it(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The answer after a function_call_output SHOULD use the tool's output (semantic: it names the 22 degrees)."""
    response = _round_trip(cell, client, judge)
    expect("22" in output_text(response), "the answer does not use the tool's output",
           expected="an answer mentioning 22 (the temperature the tool returned)", actual=output_text(response)[:200])


@check("functions.stream.argument_deltas", spec=SPEC + "; ResponseFunctionCallArgumentsDeltaEvent / DoneEvent",
       requires=("function_calling", "streaming"))
def test_streamed_argument_deltas_add_up(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A streamed forced function call MUST send argument deltas that join to the arguments of its done event and item."""
    body = {"input": PROMPT, "tools": [WEATHER], "tool_choice": FORCED, **room(cell, 64)}
    with client.stream(body) as stream:
        events = streamed(stream, judge, "a streamed request forcing get_weather")
    done_items = [e["item"] for e in events if e.get("type") == "response.output_item.done"
                  and isinstance(e.get("item"), dict) and e["item"].get("type") == "function_call"]
    expect(bool(done_items), "the stream finished no function_call item", actual=[e.get("type") for e in events][-8:])
    item = done_items[0]
    deltas = [e.get("delta", "") for e in events
              if e.get("type") == "response.function_call_arguments.delta" and e.get("item_id") == item.get("id")]
    done = [e.get("arguments") for e in events
            if e.get("type") == "response.function_call_arguments.done" and e.get("item_id") == item.get("id")]
    expect(bool(deltas), "the function call's arguments were not streamed as deltas",
           expected="at least one response.function_call_arguments.delta", actual="none")
    joined = "".join(str(d) for d in deltas)
    expect(done == [joined], "the argument deltas do not join to the done event's arguments",
           expected=joined, actual=done)
    expect(joined == item.get("arguments"), "the argument deltas do not join to the item's arguments",
           expected=joined, actual=item.get("arguments"))


@check("functions.call_id.unknown_refused", owns=ENVELOPE, spec=SPEC + " (call_id must match a function_call)",
       requires=("function_calling", "store"))
def test_unknown_call_id_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A function_call_output whose call_id matches no function call of the conversation MUST be refused with a 4xx."""
    first, call = _forced_call(cell, client, judge)
    unknown = "call_conformance_unknown_0000000000000000"
    expect(call.get("call_id") != unknown, "the target chose the suite's unknown call_id", actual=unknown)
    answer = {"type": "function_call_output", "call_id": unknown, "output": TOOL_OUTPUT}
    body = {"input": [answer], "previous_response_id": first["id"], "tools": [WEATHER], **room(cell, 64)}
    refused(client.create(body), judge, "a function_call_output with an unknown call_id")
