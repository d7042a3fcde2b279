"""Resuming a stream by sequence number: background + stream, disconnect after event K, resume after K.

The uninterrupted stream is the replay "from the start": ``GET /responses/{id}?stream=true`` without
``starting_after``. Both specs make the parameter optional ("the sequence number of the event after which to
start streaming"), so without it the replay starts at the first event, as the OpenAI SDK's
``responses.retrieve(id, stream=True)`` asks; ``starting_after=-1`` is in neither spec and is not sent.
Streams are compared event by event after dropping ``keepalive`` events (connection liveness, not
content) and the fields that differ in every delivery (``obfuscation``, re-encrypted ``encrypted_content``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.checks._check import ContractViolation, HarnessError, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._streams import (
    count_request,
    expect_answer,
    expect_stream,
    masked,
    parsed,
    payloads,
)
from conformance.client import ResponsesClient
from conformance.contract.grammar import TERMINAL_TYPES
from conformance.contract.sse import ServerSentEvent
from conformance.matrix import Cell

SPEC = ("openai-openapi.yaml getResponse (stream, starting_after); Azure Responses how-to, §Background mode "
        "('resume ... using each event's sequence_number', GET ...?stream=true&starting_after=42)")
RESUME_AFTER = 6  # K: the prefix is events 0..K, so the cut falls inside the answer's text deltas
REQUIRES = ("background", "streaming", "store")


@dataclass
class Interrupted:
    """A background stream cut after event K, and its resumption after K."""

    response_id: str
    prefix: list[ServerSentEvent]
    suffix: list[ServerSentEvent]


def _seq(event: ServerSentEvent) -> Any:
    return (parsed(event) or {}).get("sequence_number")


def _interrupt_and_resume(cell: Cell, client: ResponsesClient) -> Interrupted:
    """Stream a background response, disconnect once event K is read, and resume with starting_after=K."""
    with expect_stream(client.stream({**count_request(cell), "background": True}), "the background stream") as stream:
        prefix: list[ServerSentEvent] = []
        for event in stream:
            prefix.append(event)
            seq = _seq(event)
            if isinstance(seq, int) and seq >= RESUME_AFTER:
                break
        response_id = stream.response_id
    if response_id is None:
        raise HarnessError("the background stream carried no response id to resume")
    if not any(_seq(e) == RESUME_AFTER for e in prefix):
        found = [_seq(e) for e in prefix]
        if any(p.get("type") in TERMINAL_TYPES for p in payloads(prefix)):
            raise HarnessError(f"the stream ended before event {RESUME_AFTER}: nothing to resume")
        raise ContractViolation(f"the stream has no event numbered {RESUME_AFTER}",
                                expected=f"sequence numbers 0..{RESUME_AFTER}", actual=f"{found[:12]}")
    with expect_stream(client.retrieve_stream(response_id, starting_after=RESUME_AFTER), "the resume") as resumed:
        suffix = list(resumed.read_all())
    return Interrupted(response_id, prefix, suffix)


def _numbers(events: list[ServerSentEvent]) -> list[Any]:
    return [_seq(e) for e in events if (parsed(e) or {}).get("type") != "keepalive"]


@check("resume.after.first_event", spec=SPEC, requires=REQUIRES)
def test_resumed_stream_starts_after_starting_after(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A stream resumed with starting_after=K MUST start with the event whose sequence_number is K+1."""
    run = _interrupt_and_resume(cell, client)
    first = next((_seq(e) for e in run.suffix), None)
    expect(first == RESUME_AFTER + 1, "the resumed stream does not start right after starting_after",
           expected=f"sequence_number {RESUME_AFTER + 1}", actual=f"sequence_number {first}")
    judge.stream(run.suffix, "the resumed stream does not conform", starting_after=RESUME_AFTER)


@check("resume.after.no_duplicates", spec=SPEC, requires=REQUIRES)
def test_resumed_stream_repeats_no_event(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A stream resumed with starting_after=K MUST NOT repeat any event up to K, nor any event of its own."""
    run = _interrupt_and_resume(cell, client)
    numbers = _numbers(run.suffix)
    repeated = sorted({n for n in numbers if isinstance(n, int) and n <= RESUME_AFTER}
                      | {n for n in numbers if numbers.count(n) > 1}, key=repr)
    expect(not repeated, "the resumed stream repeats events", expected=f"only sequence numbers above {RESUME_AFTER}, "
           "each once", actual=f"repeated {repeated[:10]}")
    judge.stream(run.suffix, "the resumed stream does not conform", starting_after=RESUME_AFTER)


@check("resume.after.equals_uninterrupted", spec=SPEC, requires=REQUIRES)
def test_prefix_and_resumed_suffix_equal_the_whole_stream(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The events read before a disconnect plus the resumed events MUST equal the stream replayed from the start."""
    run = _interrupt_and_resume(cell, client)
    with expect_stream(client.retrieve_stream(run.response_id), "the replay from the start") as replay:
        whole = list(replay.read_all())
    judge.stream(whole, "the replay from the start does not conform")
    joined, expected = _content(run.prefix + run.suffix), _content(whole)
    first = next((i for i, (a, b) in enumerate(zip(joined, expected, strict=False)) if a != b), None)
    if first is None and len(joined) != len(expected):
        first = min(len(joined), len(expected))
    expect(first is None, "the interrupted and resumed stream differs from the stream replayed from the start",
           expected=f"{len(expected)} events, event {first}: {_show(expected, first)}",
           actual=f"{len(joined)} events, event {first}: {_show(joined, first)}")
    judge.stream(run.prefix + run.suffix, "the interrupted and resumed stream does not conform as a whole")


@check("resume.not_streamed.rejected", owns=ENVELOPE, spec="Azure Responses how-to, §Background mode ('streaming can be resumed "
       "only if the original request had stream=true')", requires=REQUIRES)
def test_resume_of_a_response_not_streamed_fails(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Resuming the stream of a background response created without stream MUST fail with a 4xx error envelope."""
    created = judge.response(expect_answer(client.create({**count_request(cell), "background": True}), "the create"))
    with client.retrieve_stream(str(created.get("id")), starting_after=0) as answer:
        expect(not answer.is_sse or answer.status_code >= 400, "the response that was not streamed was resumed",
               expected="a 4xx error", actual=f"{answer.status_code} event stream")
        judge.error(answer.status_code, answer.body, title="resuming a response that was not streamed did not fail "
                    "with a 4xx")


def _content(events: list[ServerSentEvent]) -> list[Any]:
    """What a stream says, event by event: JSON data without keepalives and per-delivery fields."""
    out: list[Any] = []
    for event in events:
        data = parsed(event)
        if data is None:
            out.append(event.data)
        elif data.get("type") != "keepalive":
            out.append(masked(data))
    return out


def _show(events: list[Any], index: int | None) -> str:
    if index is None or index >= len(events):
        return "none"
    event = events[index]
    if not isinstance(event, dict):
        return repr(event)[:120]
    item = event.get("item_id") or (event.get("item") or {}).get("id")
    return f"{event.get('type')} #{event.get('sequence_number')}" + (f" of item {item}" if item else "")
