"""The stream grammar: a valid stream passes; each mutation breaks the one rule it targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _recordings import needs_recordings, recorded_exchanges
from _streams import FC, MSG, copy_of, find, renumber, rules, run, valid_stream
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.contract.grammar import StreamGrammar, classify
from conformance.contract.rules import all_rules

Mutation = Callable[[list[Any]], list[Any]]


def drop(event_type: str, nth: int = 0, **fields: Any) -> Mutation:
    def mutate(events: list[Any]) -> list[Any]:
        del events[find(events, event_type, nth, **fields)]
        return renumber(events)

    return mutate


def insert_before(event_type: str, new: Any, nth: int = 0, **fields: Any) -> Mutation:
    def mutate(events: list[Any]) -> list[Any]:
        events.insert(find(events, event_type, nth, **fields), new)
        return renumber(events)

    return mutate


def move_after(event_type: str, anchor: str, **fields: Any) -> Mutation:
    def mutate(events: list[Any]) -> list[Any]:
        event = events.pop(find(events, event_type, **fields))
        events.insert(find(events, anchor, **fields) + 1, event)
        return renumber(events)

    return mutate


def edit(event_type: str, change: Callable[[dict[str, Any]], None], nth: int = 0, **fields: Any) -> Mutation:
    def mutate(events: list[Any]) -> list[Any]:
        change(events[find(events, event_type, nth, **fields)])
        return events

    return mutate


def seq_from(position: int, shift: int) -> Mutation:
    def mutate(events: list[Any]) -> list[Any]:
        for event in events[position:]:
            event["sequence_number"] += shift
        return events

    return mutate


def without_sequence_numbers(events: list[Any]) -> list[Any]:
    for event in events:
        del event["sequence_number"]
    return events


def swap_first_two(events: list[Any]) -> list[Any]:
    events[0], events[1] = events[1], events[0]
    return renumber(events)


def append(new: Any, *, numbered: bool = True) -> Mutation:
    def mutate(events: list[Any]) -> list[Any]:
        return renumber([*events, new]) if numbered else [*events, new]

    return mutate


def delta(text: str = "x") -> dict[str, Any]:
    return {"type": "response.output_text.delta", "item_id": MSG, "output_index": 1, "content_index": 0,
            "delta": text}


def set_key(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(event: dict[str, Any]) -> None:
        event[key] = value

    return change


ERROR = {"type": "error", "code": "server_error", "message": "boom", "param": None}
COMPLETED = "response.completed"

# (rule, mutation, only that rule?) — each mutation breaks one rule; a few unavoidably break a second one.
CASES: list[tuple[str, Mutation, bool]] = [
    ("stream.json", insert_before("response.output_text.delta", "not json {", 2), True),
    ("stream.json", insert_before("response.output_text.delta", ["a", "list"], 2), True),
    ("stream.sequence.present", without_sequence_numbers, True),
    ("stream.sequence.present", edit("response.output_text.delta", lambda e: e.pop("sequence_number"), 2),
     True),
    ("stream.sequence.integer", edit("response.output_text.delta", set_key("sequence_number", "9"), 2), True),
    ("stream.sequence.integer", edit("response.output_text.delta", set_key("sequence_number", -1), 2), True),
    ("stream.sequence.start", lambda events: renumber(events, start=1), True),
    ("stream.sequence.contiguous", seq_from(10, 1), True),
    ("stream.sequence.increasing", seq_from(10, -1), True),
    ("stream.event_name", lambda events: events, True),  # the SSE name is overridden in the test below
    ("stream.order.created_first", swap_first_two, True),
    ("stream.order.created_first", drop("response.in_progress"), True),
    ("stream.order.created_first", drop("response.created"), True),
    ("stream.terminal.single", lambda events: renumber([*events, events[-1]]), True),
    ("stream.terminal.last", append(delta()), True),
    ("stream.terminal.missing", drop(COMPLETED), True),
    ("stream.terminal.after_error", insert_before(COMPLETED, ERROR), True),
    ("stream.terminal.after_error", lambda events: renumber([*events[:-1], ERROR]), True),
    ("stream.item.pairing", drop("response.output_item.done", 2), True),
    ("stream.item.pairing", move_after("response.function_call_arguments.done", "response.output_item.done",
                                       output_index=2), True),
    ("stream.item.pairing", drop("response.output_item.added", 2), False),
    ("stream.item.output_index", edit("response.output_text.delta", set_key("output_index", 0), 2), True),
    ("stream.item.output_index", edit("response.output_item.added", set_key("output_index", 5), 3), False),
    ("stream.item.item_id", edit("response.content_part.added", set_key("item_id", "msg_other"), 1), True),
    ("stream.part.pairing", drop("response.content_part.done", 1), True),
    ("stream.part.pairing", move_after("response.output_text.done", "response.content_part.done",
                                       item_id=MSG), True),
    ("stream.part.pairing", drop("response.reasoning_summary_part.added"), True),
    ("stream.part.content_index", edit("response.content_part.added", set_key("content_index", 2), 1), False),
    ("stream.delta.after_done", insert_before("response.content_part.done", delta(), 1), True),
    ("stream.delta.after_done", insert_before("response.output_item.done", delta(), 2), True),
    ("stream.delta.after_done", insert_before(
        "response.output_item.done",
        {"type": "response.function_call_arguments.done", "item_id": FC, "output_index": 2, "arguments": "{}"},
        2), False),
    ("stream.keepalive.profile", insert_before("response.output_text.delta", {"type": "keepalive"}, 1), True),
    ("stream.done_sentinel", append("[DONE]", numbered=False), True),
]


PROFILE_OF = {"stream.keepalive.profile": "open-responses"}  # the profile a mutation is judged in (else openai)


@pytest.mark.parametrize(("rule", "mutation", "only"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_mutation_breaks_its_rule(rule: str, mutation: Mutation, only: bool) -> None:
    events = mutation(copy_of(valid_stream()))
    names = {3: "response.output_text.delta"} if rule == "stream.event_name" else None
    profile = PROFILE_OF.get(rule, "openai")
    if profile == "open-responses":
        events = [*events, "[DONE]"]
    found = rules(run(events, names=names, profile=profile))
    assert rule in found
    if only:
        assert found == {rule}


def test_every_stream_rule_has_a_mutation() -> None:
    stream_rules = {r.id for r in all_rules() if r.area == "stream"}
    assert stream_rules == {c[0] for c in CASES}


def test_valid_stream_passes_in_every_profile() -> None:
    assert run(valid_stream()) == []
    assert run(valid_stream(), profile="azure") == []
    assert run([*valid_stream(), "[DONE]"], profile="open-responses") == []


def test_open_responses_needs_the_sentinel_after_the_terminal_event() -> None:
    assert rules(run(valid_stream(), profile="open-responses")) == {"stream.done_sentinel"}
    events = valid_stream()
    early = run([*events[:-1], "[DONE]", events[-1]], profile="open-responses")
    assert rules(early) == {"stream.done_sentinel", "stream.terminal.missing"}  # [DONE] ends the stream
    assert rules(run([*events, "[DONE]", "[DONE]"], profile="open-responses")) == {"stream.done_sentinel"}


@pytest.mark.parametrize("profile", ["openai", "azure"])
def test_numbered_keepalives_are_allowed_in_openai_and_azure(profile: str) -> None:
    # OpenAI sends {"type":"keepalive","sequence_number":466} on long streams, later events numbered on
    # (openai/openai-node#1964, PR #1965); Azure's v1 spec has the same event.
    events = valid_stream()
    at = find(events, "response.output_text.delta", 1)
    keepalive = {"type": "keepalive", "sequence_number": at}
    numbered = [*events[:at], keepalive, *({**e, "sequence_number": e["sequence_number"] + 1} for e in events[at:])]
    assert run(numbered, profile=profile) == []
    assert rules(run([*events[:at], keepalive, *events[at:]], profile=profile)) == {"stream.sequence.increasing"}


LISTINGS = "pydantic-ai__test_openai_responses.test_openai_responses_model_mcp_list_tools_stream_backfills_missing_results__1.json"


def recorded_listing_stream() -> list[Any]:
    """The real OpenAI stream of pydantic/pydantic-ai PR #5443 (three MCP servers listed in parallel)."""
    (exchange,) = recorded_exchanges(LISTINGS)
    return list(exchange.events or [])


@needs_recordings
def test_parallel_mcp_listings_may_end_without_their_output_item_done() -> None:
    # Real OpenAI (pydantic/pydantic-ai#5419): three mcp_list_tools items, each listing completed, and only
    # the last one's output_item.done before the message.
    events = recorded_listing_stream()
    assert run(events) == []
    unlisted = [e for e in events if e.get("type") != "response.mcp_list_tools.completed" or e["output_index"] != 0]
    found = run(renumber(unlisted))
    assert rules(found) == {"stream.item.pairing"} and "output_index 0 was never done" in found[0].message


def test_background_stream_may_be_queued_first() -> None:
    events = valid_stream()
    queued = {"type": "response.queued", "response": events[0]["response"]}
    assert run(renumber([events[0], queued, *events[1:]])) == []
    assert rules(run(renumber([events[0], events[1], queued, *events[2:]]))) == {"stream.order.created_first"}


def test_error_then_failed_is_valid() -> None:
    events = valid_stream()
    failed = {"type": "response.failed",
              "response": {**events[-1]["response"], "status": "failed", "error": {"code": "x", "message": "y"}}}
    assert rules(run(renumber([*events[:-1], ERROR, failed]))) == set()


def test_resumed_stream_starts_after_the_given_number() -> None:
    events = valid_stream()
    cut = find(events, "response.output_text.delta", 2)
    assert run(events[cut:], starting_after=cut - 1) == []
    found = run(events[cut:], starting_after=0)
    assert rules(found) == {"stream.sequence.start"}
    assert (found[0].expected, found[0].found) == ("1", str(cut))


def test_violation_carries_index_pointer_expected_and_found() -> None:
    events = seq_from(10, 1)(valid_stream())
    (violation,) = run(events)
    assert violation.index == 10
    assert violation.pointer == "/sequence_number"
    assert (violation.expected, violation.found) == ("10", "11")


def test_learns_the_final_response() -> None:
    events = valid_stream()
    machine = StreamGrammar()
    for event in events:
        machine.feed(event["type"], event)
    assert machine.close() == []
    assert machine.events_seen == len(events)
    assert machine.terminal_type == COMPLETED
    assert machine.final_response == events[-1]["response"]


def test_missing_numbers_are_reported_once_when_the_stream_has_none() -> None:
    found = run(without_sequence_numbers(valid_stream()))
    assert [v.index for v in found] == [0]


@pytest.mark.parametrize(
    ("event_type", "family"),
    [
        ("response.output_text.delta", "response.output_text"),
        ("response.mcp_call.arguments_delta", "response.mcp_call.arguments"),
        ("response.mcp_call.arguments_done", "response.mcp_call.arguments"),
        ("response.reasoning_summary.delta", "response.reasoning_summary"),
        ("response.reasoning_summary_part.added", "response.reasoning_summary_part"),
        ("response.web_search_call.searching", "response.web_search_call.searching"),
    ],
)
def test_families_are_derived_from_type_names(event_type: str, family: str) -> None:
    assert classify(event_type)[1] == family


def test_azure_style_delta_names_are_checked_like_openai_ones() -> None:
    events = valid_stream()
    for event in events:
        if event["type"].startswith("response.function_call_arguments."):
            event["type"] = event["type"].replace("function_call_arguments.", "mcp_call.arguments_")
    assert run(events, profile="azure") == []
    bad = insert_before("response.output_item.done", {
        "type": "response.mcp_call.arguments_delta", "item_id": FC, "output_index": 2, "delta": "x"}, 2)(events)
    assert rules(run(bad, profile="azure")) == {"stream.delta.after_done"}


def test_every_rule_is_documented() -> None:
    for rule in (r for r in all_rules() if r.area == "stream"):
        assert rule.sentence.endswith(".") and rule.spec and rule.level.value in ("MUST", "SHOULD", "MAY")


def test_vendor_events_are_numbered_but_not_ordered() -> None:
    events = valid_stream()
    trace = {"type": "acme:trace_event", "phase": "tool_resolution"}
    assert run(renumber([trace, *events])) == []
    assert rules(run([*events[:3], trace, *events[3:]])) == {"stream.sequence.present"}


def test_an_error_may_come_first() -> None:
    events = valid_stream()
    failed = {"type": "response.failed",
              "response": {**events[-1]["response"], "status": "failed", "error": {"code": "x", "message": "y"}}}
    assert rules(run(renumber([ERROR, events[0], failed]))) == set()
    assert rules(run(renumber([ERROR]))) == {"stream.terminal.after_error"}


_TYPES = sorted({e["type"] for e in valid_stream()} | {"error", "keepalive", "response.queued", "acme:x"})
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-1, 4), st.sampled_from(["", "a", MSG, FC, *_TYPES]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["id", "text", "type", "output", "status", "usage", "input_tokens"]),
                                                 inner, max_size=3)), max_leaves=6)
_KEYS = ["type", "sequence_number", "item_id", "output_index", "content_index", "summary_index", "delta", "text",
         "arguments", "item", "part", "response"]
_EVENTS = st.one_of(
    st.sampled_from(valid_stream()),
    st.builds(lambda event, key, value: {**event, key: value}, st.sampled_from(valid_stream()),
              st.sampled_from(_KEYS), _VALUES),
    st.fixed_dictionaries({"type": st.sampled_from(_TYPES)}, optional=dict.fromkeys(_KEYS[1:], _VALUES)),
    st.sampled_from(["[DONE]", "not json", 3, None]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_EVENTS, max_size=25), st.sampled_from(["openai", "azure", "open-responses"]),
       st.sampled_from([None, 0, 5]))
def test_never_raises_on_arbitrary_events(events: list[Any], profile: str, starting_after: int | None) -> None:
    for violation in run(events, profile=profile, starting_after=starting_after):
        assert violation.rule and violation.message
