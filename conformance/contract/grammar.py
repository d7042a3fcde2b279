"""The grammar of a Responses API event stream: a state machine fed one event at a time.

Event families are derived from the ``type`` names (``.added`` / ``.delta`` / ``.done`` suffixes, Azure's
``arguments_delta`` style), so new item kinds are checked without a list of event types.
"""

from __future__ import annotations

from typing import Any

from conformance.contract._grammar_items import ItemRules
from conformance.contract._grammar_kinds import (
    CREATED,
    ERROR,
    IN_PROGRESS,
    ITEM_ADDED,
    ITEM_DONE,
    KEEPALIVE,
    OTHER,
    QUEUED,
    TERMINAL,
    TERMINAL_TYPES,
    classify,
    ident,
    index_field,
    part_field,
)
from conformance.contract._stream_rules import (
    CREATED_FIRST,
    DONE_SENTINEL,
    EVENT_NAME,
    ITEM_PAIRING,
    JSON,
    KEEPALIVE_PROFILE,
    SEQ_CONTIGUOUS,
    SEQ_INCREASING,
    SEQ_INTEGER,
    SEQ_PRESENT,
    SEQ_START,
    TERMINAL_AFTER_ERROR,
    TERMINAL_LAST,
    TERMINAL_MISSING,
    TERMINAL_SINGLE,
)
from conformance.contract.violations import Violation

__all__ = ["DONE", "TERMINAL_TYPES", "StreamGrammar", "classify", "ident", "index_field", "part_field"]

DONE = "[DONE]"
KEEPALIVE_PROFILES = frozenset({"openai", "azure"})  # the profiles whose streams may carry keepalive events

_KINDS: dict[str, tuple[int, str]] = {}


class StreamGrammar(ItemRules):
    """Checks the order and pairing of a stream's events; ``feed`` each event, then ``close``."""

    def __init__(self, *, profile: str = "openai", starting_after: int | None = None) -> None:
        self.profile = profile
        self.starting_after = starting_after
        self.events_seen = 0
        self.final_response: dict[str, Any] | None = None
        self.terminal_type: str | None = None
        self.sentinel_seen = False
        self._resumed = starting_after is not None
        self._seq_start = 0 if starting_after is None else starting_after + 1
        self._next_seq = self._seq_start
        self._seq_missing_reported = False
        self._seq_resync = False  # after an event without a usable number, the next number is not a gap
        self._phase = 1 if self._resumed else 0  # 0 before created, 1 after, 2 after queued, 3 running
        self._error_index: int | None = None
        self._items = {}
        self._open_ids = {}
        self._closed_ids = set()
        self._closed_indexes = set()
        self._next_output_index = None if self._resumed else 0
        self._fast = None

    def feed(self, name: str | None, data: Any) -> list[Violation]:
        """Violations found at this event (``data``: parsed JSON, the raw text, or ``"[DONE]"``)."""
        self.events_seen += 1
        fast = self._fast
        if fast is not None and data.__class__ is dict:
            # Happy path: the next delta of the part the previous delta was about (subscripts: a missing
            # key falls through to the full check).
            try:
                seq = data["sequence_number"]
                event_type = data["type"]
                if (
                    seq == self._next_seq
                    and seq.__class__ is int
                    and event_type == fast[0]
                    and (name is None or name == event_type)
                    and data["item_id"] == fast[1]
                    and data["output_index"] == fast[2]
                    and (fast[3] is None or data[fast[3]] == fast[4])
                ):
                    self._next_seq = seq + 1
                    return []
            except KeyError:
                pass
        return self._feed(self.events_seen - 1, name, data)

    def _feed(self, index: int, name: str | None, data: Any) -> list[Violation]:
        self._fast = None
        if data.__class__ is not dict:
            return self._not_object(index, data)
        out: list[Violation] = []
        seq = data.get("sequence_number")
        if seq.__class__ is int and seq == self._next_seq:
            self._next_seq = seq + 1
            self._seq_resync = False
        else:
            self._sequence(index, data, seq, out)
        event_type = data.get("type")
        if name is not None and name != event_type:
            out.append(
                Violation(EVENT_NAME.id, "the SSE event: field differs from the data's type", "/type",
                          repr(name), repr(event_type), index)
            )
        if event_type.__class__ is not str:
            return out
        kind = _KINDS.get(event_type)
        if kind is None:
            kind = _KINDS[event_type] = classify(event_type)
        self._dispatch(index, data, event_type, kind[0], kind[1], out)
        return out

    def close(self) -> list[Violation]:
        """Violations found at the end of the stream."""
        out: list[Violation] = []
        if self.terminal_type is None:
            if self._error_index is not None:
                out.append(Violation(TERMINAL_AFTER_ERROR.id, "the stream ended after an error event without "
                                     "response.failed", "", "response.failed", "end of stream"))
            else:
                out.append(Violation(TERMINAL_MISSING.id, "the stream ended without a terminal event", "",
                                     "response.completed, response.incomplete or response.failed",
                                     "end of stream"))
        elif self.profile == "open-responses" and not self.sentinel_seen:
            out.append(Violation(DONE_SENTINEL.id, "the stream ended without the [DONE] sentinel", "",
                                 "data: [DONE]", "end of stream"))
        return out

    # -- sequence and framing -------------------------------------------------------------------------

    def _not_object(self, index: int, data: Any) -> list[Violation]:
        if data == DONE and data.__class__ is str:
            return self._sentinel(index)
        found = "text that is not JSON" if isinstance(data, str) else type(data).__name__
        return [Violation(JSON.id, "the event's data is not a JSON object", "", "a JSON object", found, index)]

    def _sentinel(self, index: int) -> list[Violation]:
        already = self.sentinel_seen
        self.sentinel_seen = True
        if self.profile != "open-responses":
            return [Violation(DONE_SENTINEL.id, f"the {self.profile} profile sends no [DONE] sentinel", "",
                              "no sentinel", "data: [DONE]", index)]
        if already:
            return [Violation(DONE_SENTINEL.id, "a second [DONE] sentinel", "", "one sentinel",
                              "data: [DONE]", index)]
        if self.terminal_type is None:
            return [Violation(DONE_SENTINEL.id, "[DONE] before the terminal event", "",
                              "a terminal event first", "data: [DONE]", index)]
        return []

    def _sequence(self, index: int, data: dict[str, Any], seq: Any, out: list[Violation]) -> None:
        seen = self._next_seq != self._seq_start
        if seq is None:
            if data.get("type") == "keepalive":
                return
            self._seq_resync = seen
            if seen or not self._seq_missing_reported:
                self._seq_missing_reported = True
                out.append(Violation(SEQ_PRESENT.id, "the event has no sequence_number", "/sequence_number",
                                     "an integer", "missing", index))
            return
        if seq.__class__ is not int or seq < 0:
            out.append(Violation(SEQ_INTEGER.id, "sequence_number is not a non-negative integer",
                                 "/sequence_number", "a non-negative integer", repr(seq), index))
            self._seq_resync = seen
            return
        expected = self._next_seq
        if self._seq_resync and seq >= expected:
            self._seq_resync = False
            self._next_seq = seq + 1
            return
        if not seen:
            out.append(Violation(SEQ_START.id, "the first sequence_number is not where the stream starts",
                                 "/sequence_number", str(expected), str(seq), index))
            self._next_seq = seq + 1
        elif seq > expected:
            out.append(Violation(SEQ_CONTIGUOUS.id, f"{seq - expected} sequence number(s) skipped",
                                 "/sequence_number", str(expected), str(seq), index))
            self._next_seq = seq + 1
        else:
            out.append(Violation(SEQ_INCREASING.id, "sequence_number repeats or goes back",
                                 "/sequence_number", f"{expected} or more", str(seq), index))

    # -- lifecycle -----------------------------------------------------------------------------------

    def _dispatch(
        self, index: int, data: dict[str, Any], event_type: str, code: int, family: str, out: list[Violation]
    ) -> None:
        if self.sentinel_seen:
            out.append(Violation(DONE_SENTINEL.id, "an event after the [DONE] sentinel", "/type",
                                 "nothing after [DONE]", event_type, index))
            return
        if code == KEEPALIVE:
            if self.profile not in KEEPALIVE_PROFILES:
                out.append(Violation(KEEPALIVE_PROFILE.id, f"keepalive event in the {self.profile} profile",
                                     "/type", "no keepalive events", "keepalive", index))
            if self.terminal_type is None:
                return
        if self.terminal_type is not None:
            rule = TERMINAL_SINGLE if code == TERMINAL else TERMINAL_LAST
            out.append(Violation(rule.id, f"{event_type} after the terminal event {self.terminal_type}",
                                 "/type", "nothing after the terminal event", event_type, index))
            return
        if code == OTHER:
            return  # a vendor event ("acme:trace") or one outside the response.* namespace: order not judged
        if code <= ERROR:
            self._lifecycle(index, data, event_type, code, out)
            return
        if self._phase != 3:
            self._phase = 3
            if not self._resumed:
                out.append(Violation(CREATED_FIRST.id, f"{event_type} before response.in_progress", "/type",
                                     "response.created, then response.in_progress", event_type, index))
        if code == ITEM_ADDED:
            self._item_added(index, data, out)
        elif code == ITEM_DONE:
            self._item_done(index, data, out)
        else:
            self._item_event(index, data, event_type, code, family, out)

    def _lifecycle(
        self, index: int, data: dict[str, Any], event_type: str, code: int, out: list[Violation]
    ) -> None:
        phase = self._phase
        if code == CREATED:
            ok, self._phase = phase == 0, 1
        elif code == QUEUED:
            ok, self._phase = phase == 1, 2
        elif code == IN_PROGRESS:
            ok, self._phase = phase in (1, 2), 3
        elif code == ERROR:
            ok = True  # an error may come at any point, even before response.created
        else:
            ok = phase != 0
            self._phase = max(phase, 1)
        if not ok:
            out.append(Violation(CREATED_FIRST.id, f"{event_type} out of order", "/type",
                                 "response.created, [response.queued,] response.in_progress",
                                 event_type, index))
        if code == ERROR:
            self._error_index = index
        elif code == TERMINAL:
            self._terminal(index, data, event_type, out)

    def _terminal(self, index: int, data: dict[str, Any], event_type: str, out: list[Violation]) -> None:
        self.terminal_type = event_type
        response = data.get("response")
        if isinstance(response, dict):
            self.final_response = response
        if self._error_index is not None and event_type != "response.failed":
            out.append(Violation(TERMINAL_AFTER_ERROR.id, f"the error event {self._error_index} ends in "
                                 f"{event_type}", "/type", "response.failed", event_type, index))
        if event_type == "response.failed":
            return
        for item in self._items.values():
            if item.ended:
                continue
            out.append(Violation(ITEM_PAIRING.id, f"item {item.id!r} at output_index {item.output_index} "
                                 "was never done", "/type", "response.output_item.done", event_type, index))
