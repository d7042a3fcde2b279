"""What the streaming, resume and background checks share: the requests they send and how they read answers.

The prompts are ones the reference model and a cooperative real model answer the same way (a count, a
forced function call, a bit of arithmetic); the checks assert contracts, never wording.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from conformance.checks._check import ContractViolation, expect
from conformance.client import ApiResponse, EventStream, ResponsesClient
from conformance.contract.sse import ServerSentEvent
from conformance.matrix import Cell

COUNT_PROMPT = "Count from 1 to 20, separated by commas."
COUNT_TOKENS = 64  # the count is about 40 tokens: room enough to finish, small enough to be cheap
LONG_PROMPT = "Write a story of 300 words about a lighthouse keeper."
LONG_TOKENS = 600
TRUNCATED_PROMPT = "Count from 1 to 200, separated by commas."
TRUNCATED_TOKENS = 16  # the smallest max_output_tokens OpenAI accepts: the count cannot fit
REASONING_ROOM = 1024  # what a reasoning model may think before it answers
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city name"}},
        "required": ["city"],
        "additionalProperties": False,
    },
    "strict": True,
}
RUNNING = ("queued", "in_progress")  # the statuses a response leaves on its own
OPAQUE = ("encrypted_content", "obfuscation")  # re-encrypted or random in every copy of an object


def tokens(cell: Cell, answer: int) -> int:
    """A small ``max_output_tokens`` for an answer of ``answer`` tokens; reasoning models also need room to think."""
    return answer + (REASONING_ROOM if "reasoning" in cell.capabilities else 0)


def request(cell: Cell, prompt: str, answer: int, **fields: Any) -> dict[str, Any]:
    """A create body with a small token cap; a reasoning cell is asked to think little (``reasoning`` may override)."""
    body: dict[str, Any] = {"input": prompt, "max_output_tokens": tokens(cell, answer)}
    if "reasoning" in cell.capabilities:
        body["reasoning"] = {"effort": "low"}
    return {**body, **fields}


def count_request(cell: Cell, **fields: Any) -> dict[str, Any]:
    """A request for a plain text answer of many small deltas."""
    return request(cell, COUNT_PROMPT, COUNT_TOKENS, **fields)


def expect_answer(answer: ApiResponse, action: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer; a 5xx, another status or a body that is no object fails the check."""
    expect(answer.status_code < 500, f"{action} answered with a server error", expected="a 2xx answer",
           actual=f"{answer.status_code} {answer.text[:200]}")
    expect(answer.ok, f"{action} was refused", expected="a 2xx answer", actual=f"{answer.status_code} {answer.text[:200]}")
    body = answer.json_or_none
    expect(body is not None, f"{action} answered with something that is not a JSON object",
           expected="a JSON object", actual=answer.text[:200])
    assert body is not None
    return body


def expect_stream(stream: EventStream, action: str) -> EventStream:
    """The stream of a 2xx ``text/event-stream`` answer; a 5xx, an error or another content type fails."""
    if stream.ok:
        return stream
    actual = f"{stream.status_code} {stream.headers.get('content-type', '')} {str(stream.body)[:200]}"
    expect(stream.status_code < 500, f"{action} answered with a server error", expected="a 2xx event stream",
           actual=actual)
    raise ContractViolation(f"{action} did not answer with an event stream", expected="a 2xx text/event-stream",
                            actual=actual)


def stream_all(client: ResponsesClient, body: dict[str, Any], action: str = "the streamed create") -> list[ServerSentEvent]:
    """Every event of a streamed create, read to the end."""
    with expect_stream(client.stream(body), action) as stream:
        return list(stream.read_all())


def parsed(event: ServerSentEvent) -> dict[str, Any] | None:
    """The event's data when it is a JSON object."""
    try:
        data = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def payloads(events: Iterable[ServerSentEvent]) -> list[dict[str, Any]]:
    """The events whose data is a JSON object, parsed, in order."""
    return [data for data in map(parsed, events) if data is not None]


def masked(value: Any) -> Any:
    """A copy without the fields that differ in every copy of the same object (ciphertexts, obfuscation)."""
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items() if k not in OPAQUE}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def poll_until_terminal(
    client: ResponsesClient, response_id: str, deadline_s: float,
    judge_response: Callable[[Any], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Retrieve a response while it is queued or in progress, until ``deadline_s`` has passed; every body
    retrieved. Any other status (terminal, unknown or missing) ends the polling at once.

    Waits 0.05 s first and half as long again each time, up to 2 s between polls.
    """
    seen: list[dict[str, Any]] = []
    wait, end = 0.05, time.monotonic() + deadline_s
    while True:
        body = judge_response(expect_answer(client.retrieve(response_id), "the retrieve"))
        seen.append(body)
        if body.get("status") not in RUNNING or time.monotonic() >= end:
            return seen
        time.sleep(min(wait, max(0.0, end - time.monotonic())))
        wait = min(wait * 1.5, 2.0)
