"""Check a whole event stream: each event's schema, the stream grammar and the cross-object invariants."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from conformance.contract.grammar import DONE, StreamGrammar
from conformance.contract.invariants import StreamInvariants
from conformance.contract.sse import ServerSentEvent, parse_sse
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Violation


@dataclass
class StreamResult:
    """What a stream check found: every violation (each with its event index), the event count, the response."""

    violations: list[Violation] = field(default_factory=list)
    events: int = 0
    final_response: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.violations


def check_stream(
    events: Iterable[ServerSentEvent],
    validator: ContractValidator,
    *,
    starting_after: int | None = None,
) -> StreamResult:
    """Validate every event against its schema, then the grammar and the invariants of the whole stream."""
    grammar = StreamGrammar(profile=validator.profile, starting_after=starting_after)
    invariants = StreamInvariants(starting_after=starting_after)
    violations: list[Violation] = []
    loads = orjson.loads
    decode_error = orjson.JSONDecodeError
    feed_grammar, feed_invariants = grammar.feed, invariants.feed
    # Schema validation is batched per event type (one call into the compiled validator per type);
    # only a failing batch is validated event by event, to find and report the bad ones.
    batches: dict[Any, list[dict[str, Any]]] = {}
    positions: dict[Any, list[int]] = {}
    for index, event in enumerate(events):
        raw = event.data
        data: Any
        if raw == DONE:
            data = raw
        else:
            try:
                data = loads(raw)
            except decode_error:
                data = raw
            else:
                if data.__class__ is str:
                    data = None  # a JSON string is not an event either; never the raw-text case
        found = feed_grammar(event.event, data)
        if found:
            violations += found
        if data.__class__ is not dict:
            continue
        event_type = data.get("type")
        batch = batches.get(event_type)
        if batch is None:
            batch = batches[event_type] = []
            positions[event_type] = []
        batch.append(data)
        positions[event_type].append(index)
        found = feed_invariants(index, data)
        if found:
            violations += found
    schema_violations: list[Violation] = []
    for event_type, batch in batches.items():
        if validator.are_valid_events(event_type, batch):
            continue
        for index, data in zip(positions[event_type], batch, strict=True):
            schema_violations += [_at(v, index) for v in validator.validate_event(data)]
    if schema_violations:
        violations = sorted(schema_violations + violations, key=_order)
    violations += grammar.close()
    violations += invariants.close()
    return StreamResult(violations, grammar.events_seen, grammar.final_response)


def check_transcript(
    text: bytes | str, validator: ContractValidator, *, starting_after: int | None = None
) -> StreamResult:
    """Check a whole SSE transcript (bytes as received, or text)."""
    return check_stream(parse_sse(text), validator, starting_after=starting_after)


def _order(violation: Violation) -> int:
    return sys.maxsize if violation.index is None else violation.index


def _at(violation: Violation, index: int) -> Violation:
    return Violation(violation.rule, violation.message, violation.pointer, violation.expected,
                     violation.found, index)
