"""check_stream / check_transcript: schema, grammar and invariant violations of one stream, with indexes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _streams import MSG, find, renumber, valid_stream

from conformance.contract.sse import ServerSentEvent
from conformance.contract.stream import StreamResult, check_stream, check_transcript
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Violation


class StubValidator:
    """Accepts every event except those whose ``delta`` is not a string (independent of schemas/)."""

    def __init__(self, profile: str = "openai") -> None:
        self.profile = profile
        self.validated = 0

    def is_valid_event(self, event: Any) -> bool:
        self.validated += 1
        return not isinstance(event, dict) or not ("delta" in event and not isinstance(event["delta"], str))

    def are_valid_events(self, event_type: Any, events: list[dict[str, Any]]) -> bool:
        return all([self.is_valid_event(e) for e in events])

    def validate_event(self, event: Any) -> list[Violation]:
        if self.is_valid_event(event):
            return []
        return [Violation("schema.type", "delta is not a string", "/delta", "string", type(event["delta"]).__name__)]


def sse(events: list[Any]) -> list[ServerSentEvent]:
    return [
        ServerSentEvent(e if isinstance(e, str) else json.dumps(e, ensure_ascii=False), e.get("type") if isinstance(e, dict) else None)
        for e in events
    ]


def transcript(events: list[Any]) -> str:
    return "".join(f"event: {e.event}\ndata: {e.data}\n\n" if e.event else f"data: {e.data}\n\n" for e in sse(events))


def check(events: list[Any], **kwargs: Any) -> StreamResult:
    return check_stream(sse(events), StubValidator(), **kwargs)  # type: ignore[arg-type]


def test_valid_stream() -> None:
    events = valid_stream()
    result = check(events)
    assert result.violations == []
    assert result.ok
    assert result.events == len(events)
    assert result.final_response == events[-1]["response"]


def test_schema_violation_carries_the_event_index() -> None:
    events = valid_stream()
    at = find(events, "response.output_text.delta", 1)
    events[at]["delta"] = 5
    (schema,) = check(events).violations  # a delta that is not text is not joined, so no invariant breaks
    assert (schema.rule, schema.index, schema.pointer) == ("schema.type", at, "/delta")


def test_grammar_and_invariant_violations_are_combined() -> None:
    events = valid_stream()
    events[find(events, "response.output_text.delta", 1)]["delta"] = "changed"
    result = check(events[:-1])
    assert {v.rule for v in result.violations} == {"invariant.text.deltas_equal_done", "stream.terminal.missing"}
    assert result.final_response is None


def test_text_that_is_not_json_is_a_violation_not_an_exception() -> None:
    events = valid_stream()
    result = check([*events[:3], "{not json", *events[3:]])
    assert [(v.rule, v.index) for v in result.violations] == [("stream.json", 3)]


def test_a_json_string_is_not_an_event() -> None:
    events = valid_stream()
    result = check([*events[:3], '"[DONE]"', *events[3:]])
    assert [(v.rule, v.index) for v in result.violations] == [("stream.json", 3)]


def test_resumed_stream() -> None:
    events = valid_stream()
    cut = find(events, "response.output_text.delta", 2)
    assert check(events[cut:], starting_after=cut - 1).violations == []


def test_transcript_with_done_sentinel_per_profile() -> None:
    text = transcript([*valid_stream(), "[DONE]"])
    openai = check_transcript(text, StubValidator("openai"))  # type: ignore[arg-type]
    assert [v.rule for v in openai.violations] == ["stream.done_sentinel"]
    assert check_transcript(text.encode(), StubValidator("open-responses")).ok  # type: ignore[arg-type]


def test_transcript_keeps_u2028_inside_a_delta() -> None:
    text = transcript(valid_stream())
    assert "\u2028" in text
    assert check_transcript(text.encode("utf-8"), StubValidator()).ok  # type: ignore[arg-type]


def test_event_name_mismatch_in_a_transcript() -> None:
    events = renumber(valid_stream())
    text = transcript(events).replace("event: response.in_progress", "event: response.created", 1)
    result = check_transcript(text, StubValidator())  # type: ignore[arg-type]
    assert [(v.rule, v.index) for v in result.violations] == [("stream.event_name", 1)]


def test_schema_fast_path_sees_every_object_event_once() -> None:
    events = valid_stream()
    validator = StubValidator()
    check_stream(sse([*events, "[DONE]"]), validator)  # type: ignore[arg-type]
    assert validator.validated == len(events)


def test_with_the_real_validator() -> None:
    validator = ContractValidator("openai")
    if "response.output_text.delta" not in validator.event_types:
        pytest.skip("schemas/ has no response.output_text.delta schema yet")
    delta = {"type": "response.output_text.delta", "sequence_number": 0, "item_id": MSG, "output_index": 0,
             "content_index": 0, "delta": 5, "logprobs": []}
    result = check_stream(sse([delta]), validator)
    assert ("schema.type", 0, "/delta") in [(v.rule, v.index, v.pointer) for v in result.violations]
