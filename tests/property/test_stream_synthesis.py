"""Synthesized streams: the grammar accepts the canonical stream of any Response and rejects each mutation."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from _streams import renumber, rules, run
from hypothesis import given
from hypothesis import strategies as st
from strategies import streamable_responses
from synth import Event, synthesize

from conformance.contract.validate import ContractValidator

STRICT = ContractValidator("openai", strict=True)
CHUNKS = st.integers(1, 8)


def _first(events: list[Event], event_type: str) -> int:
    return next(i for i, e in enumerate(events) if e["type"] == event_type)


def _drop(events: list[Event], at: int) -> list[Event]:
    return events[:at] + events[at + 1:]


def _drop_item_done(events: list[Event], at: int) -> list[Event]:
    return renumber(_drop(events, _first(events, "response.output_item.done")))


def _duplicate_terminal(events: list[Event], at: int) -> list[Event]:
    return renumber([*events, copy.deepcopy(events[-1])])


def _reorder(events: list[Event], at: int) -> list[Event]:
    return renumber([events[1], events[0], *events[2:]])


def _renumber_from_one(events: list[Event], at: int) -> list[Event]:
    return renumber(events, start=1)


def _corrupt_delta(events: list[Event], at: int) -> list[Event]:
    out = copy.deepcopy(events)
    out[_first(out, "response.output_text.delta")]["delta"] += "#"
    return out


def _change_index(events: list[Event], at: int) -> list[Event]:
    out = copy.deepcopy(events)
    out[_first(out, "response.output_text.delta")]["output_index"] += 1
    return out


MUTATIONS: dict[str, tuple[Callable[[list[Event], int], list[Event]], str]] = {
    "drop an event": (_drop, "stream.sequence.contiguous"),
    "drop an output_item.done": (_drop_item_done, "stream.item.pairing"),
    "duplicate the terminal event": (_duplicate_terminal, "stream.terminal.single"),
    "reorder created and in_progress": (_reorder, "stream.order.created_first"),
    "renumber from 1": (_renumber_from_one, "stream.sequence.start"),
    "corrupt a text delta": (_corrupt_delta, "invariant.text.deltas_equal_done"),
    "change a delta's output_index": (_change_index, "stream.item.output_index"),
}


@given(streamable_responses(), CHUNKS)
def test_the_canonical_stream_of_a_valid_response_is_accepted(response: dict[str, Any], chunk: int) -> None:
    assert STRICT.validate(response, "response") == []
    events = synthesize(response, chunk)
    assert all(STRICT.validate_event(e) == [] for e in events)
    assert run(events) == []


@pytest.mark.parametrize("name", sorted(MUTATIONS))
@given(response=streamable_responses(), chunk=CHUNKS, data=st.data())
def test_each_mutation_is_rejected_with_its_rule(name: str, response: dict[str, Any], chunk: int, data: st.DataObject) -> None:
    mutate, rule = MUTATIONS[name]
    events = synthesize(response, chunk)
    at = data.draw(st.integers(1, len(events) - 2), label="at")
    assert rule in rules(run(mutate(events, at)))
