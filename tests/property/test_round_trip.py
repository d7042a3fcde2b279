"""Round trip: schema-generated objects validate, and the openai SDK parses them without losing a field."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from openai._models import construct_type
from openai.types.responses import Response, ResponseStreamEvent
from strategies import objects

from conformance.contract.validate import ContractValidator

COMPAT = ContractValidator("openai")
SDK_EVENTS = ["events.response.output_text.delta", "events.response.output_item.added",
              "events.response.output_item.done", "events.response.completed", "events.response.content_part.done",
              "events.response.function_call_arguments.done", "events.response.reasoning_summary_text.delta"]


def lost(sent: Any, parsed: Any, path: str = "") -> list[str]:
    """Where ``parsed`` (the SDK's dump) lacks or changed a value of ``sent``; additions are not losses."""
    if isinstance(sent, dict):
        if not isinstance(parsed, dict):
            return [path or "/"]
        return [p for k, v in sent.items() for p in ([f"{path}/{k}"] if k not in parsed else lost(v, parsed[k], f"{path}/{k}"))]
    if isinstance(sent, list):
        if not isinstance(parsed, list) or len(sent) != len(parsed):
            return [path or "/"]
        return [p for i, (a, b) in enumerate(zip(sent, parsed, strict=True)) for p in lost(a, b, f"{path}/{i}")]
    return [] if sent == parsed else [f"{path}: {sent!r:.60} became {parsed!r:.60}"]


def _sdk_dump(type_: Any, value: dict[str, Any]) -> Any:
    return construct_type(type_=type_, value=value).to_dict(mode="json", exclude_unset=True, warnings=False)  # type: ignore[union-attr]


@given(objects("resources.response"))
def test_generated_responses_validate_and_the_sdk_keeps_every_field(response: dict[str, Any]) -> None:
    assert COMPAT.validate(response, "response") == []
    assert lost(response, _sdk_dump(Response, response)) == []


@given(st.sampled_from(SDK_EVENTS).flatmap(objects))
def test_generated_events_validate_and_the_sdk_keeps_every_field(event: dict[str, Any]) -> None:
    assert COMPAT.validate_event(event) == []
    assert lost(event, _sdk_dump(ResponseStreamEvent, event)) == []


def test_lost_reports_a_dropped_and_a_changed_field() -> None:
    assert lost({"a": 1, "b": [1, 2]}, {"b": [1, 3], "c": 0}) == ["/a", "/b/1: 2 became 3"]
