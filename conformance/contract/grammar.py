"""The grammar of a Responses API event stream: a state machine fed one event at a time.

Event families are derived from the ``type`` names (``.added`` / ``.delta`` / ``.done`` suffixes, Azure's
``arguments_delta`` style), so new item kinds are checked without a list of event types.
"""

from __future__ import annotations

from typing import Any

from conformance.contract._stream_rules import (
    CREATED_FIRST,
    DELTA_AFTER_DONE,
    DONE_SENTINEL,
    EVENT_NAME,
    ITEM_ITEM_ID,
    ITEM_OUTPUT_INDEX,
    ITEM_PAIRING,
    JSON,
    KEEPALIVE_PROFILE,
    PART_INDEX,
    PART_PAIRING,
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

DONE = "[DONE]"
TERMINAL_TYPES = frozenset({"response.completed", "response.incomplete", "response.failed"})

# Event kinds, derived once per type name.
_OTHER, _CREATED, _QUEUED, _IN_PROGRESS, _TERMINAL, _ERROR, _KEEPALIVE = range(7)
_ITEM_ADDED, _ITEM_DONE, _PART_ADDED, _PART_DONE, _DELTA, _FAMILY_DONE, _ITEM_EVENT = range(7, 14)
_FIXED = {
    "response.created": _CREATED,
    "response.queued": _QUEUED,
    "response.in_progress": _IN_PROGRESS,
    "error": _ERROR,
    "keepalive": _KEEPALIVE,
    "response.output_item.added": _ITEM_ADDED,
    "response.output_item.done": _ITEM_DONE,
}


def classify(event_type: str) -> tuple[int, str]:
    """The kind of an event type and its family (the type without its ``.delta`` / ``.done`` suffix)."""
    if event_type in _FIXED:
        return _FIXED[event_type], event_type
    if event_type in TERMINAL_TYPES:
        return _TERMINAL, event_type
    if ":" in event_type or not event_type.startswith("response."):
        return _OTHER, event_type
    if event_type.endswith("_part.added"):
        return _PART_ADDED, event_type[: -len(".added")]
    if event_type.endswith("_part.done"):
        return _PART_DONE, event_type[: -len(".done")]
    if event_type.endswith((".delta", "_delta")):
        return _DELTA, event_type[: -len(".delta")]
    if event_type.endswith((".done", "_done")):
        return _FAMILY_DONE, event_type[: -len(".done")]
    return _ITEM_EVENT, event_type


def part_field(family: str) -> str:
    """The index field naming a part of this family: ``summary_index`` for summary parts."""
    return "summary_index" if "summary" in family else "content_index"


def index_field(family: str, data: dict[str, Any]) -> str:
    """The field that tells apart the streams of a family within one item (content, summary or command)."""
    field = part_field(family)
    return "command_index" if field not in data and "command_index" in data else field


def ident(value: Any) -> Any:
    """An id or index as a dict key: scalars as they are, anything else (a list, an object) by its repr."""
    return value if value is None or value.__class__ in (str, int, float, bool) else repr(value)


_KINDS: dict[str, tuple[int, str]] = {}


class _Item:
    """An output item seen in the stream: its id, index, parts and closed families."""

    __slots__ = ("adopted", "done_families", "id", "next_part", "open_parts", "output_index", "parts_done")

    def __init__(self, item_id: Any, output_index: int, *, adopted: bool = False) -> None:
        self.id = item_id
        self.output_index = output_index
        self.adopted = adopted  # first seen mid-item in a resumed stream: its earlier events are unknown
        self.next_part: dict[str, int] = {}
        self.open_parts: set[tuple[str, Any]] = set()
        self.parts_done: set[tuple[str, Any]] = set()
        self.done_families: set[tuple[str, Any]] = set()


class StreamGrammar:
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
        self._items: dict[Any, _Item] = {}  # open items by output_index
        self._open_ids: dict[Any, _Item] = {}
        self._closed_ids: set[Any] = set()
        self._closed_indexes: set[Any] = set()
        self._next_output_index: int | None = None if self._resumed else 0
        self._fast: tuple[str, Any, Any, str | None, Any] | None = None  # the last delta target that passed

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
        if code == _KEEPALIVE:
            if self.profile != "azure":
                out.append(Violation(KEEPALIVE_PROFILE.id, f"keepalive event in the {self.profile} profile",
                                     "/type", "no keepalive events", "keepalive", index))
            if self.terminal_type is None:
                return
        if self.terminal_type is not None:
            rule = TERMINAL_SINGLE if code == _TERMINAL else TERMINAL_LAST
            out.append(Violation(rule.id, f"{event_type} after the terminal event {self.terminal_type}",
                                 "/type", "nothing after the terminal event", event_type, index))
            return
        if code == _OTHER:
            return  # a vendor event ("acme:trace") or one outside the response.* namespace: order not judged
        if code <= _ERROR:
            self._lifecycle(index, data, event_type, code, out)
            return
        if self._phase != 3:
            self._phase = 3
            if not self._resumed:
                out.append(Violation(CREATED_FIRST.id, f"{event_type} before response.in_progress", "/type",
                                     "response.created, then response.in_progress", event_type, index))
        if code == _ITEM_ADDED:
            self._item_added(index, data, out)
        elif code == _ITEM_DONE:
            self._item_done(index, data, out)
        else:
            self._item_event(index, data, event_type, code, family, out)

    def _lifecycle(
        self, index: int, data: dict[str, Any], event_type: str, code: int, out: list[Violation]
    ) -> None:
        phase = self._phase
        if code == _CREATED:
            ok, self._phase = phase == 0, 1
        elif code == _QUEUED:
            ok, self._phase = phase == 1, 2
        elif code == _IN_PROGRESS:
            ok, self._phase = phase in (1, 2), 3
        elif code == _ERROR:
            ok = True  # an error may come at any point, even before response.created
        else:
            ok = phase != 0
            self._phase = max(phase, 1)
        if not ok:
            out.append(Violation(CREATED_FIRST.id, f"{event_type} out of order", "/type",
                                 "response.created, [response.queued,] response.in_progress",
                                 event_type, index))
        if code == _ERROR:
            self._error_index = index
        elif code == _TERMINAL:
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
            out.append(Violation(ITEM_PAIRING.id, f"item {item.id!r} at output_index {item.output_index} "
                                 "was never done", "/type", "response.output_item.done", event_type, index))

    # -- items and parts -------------------------------------------------------------------------------

    def _item_added(self, index: int, data: dict[str, Any], out: list[Violation]) -> None:
        output_index = data.get("output_index")
        item = data.get("item")
        item_id = ident(item.get("id")) if isinstance(item, dict) else None
        if output_index.__class__ is not int:
            out.append(Violation(ITEM_OUTPUT_INDEX.id, "output_item.added has no integer output_index",
                                 "/output_index", "an integer", repr(output_index), index))
            return
        if output_index in self._items or output_index in self._closed_indexes:
            out.append(Violation(ITEM_PAIRING.id, f"a second output_item.added for output_index {output_index}",
                                 "/output_index", "one output_item.added per item", str(output_index), index))
            return
        expected = self._next_output_index
        if expected is not None and output_index != expected:
            out.append(Violation(ITEM_OUTPUT_INDEX.id, "output items are not added in order 0, 1, 2, ...",
                                 "/output_index", str(expected), str(output_index), index))
        self._open(_Item(item_id, output_index))

    def _open(self, item: _Item) -> None:
        self._items[item.output_index] = item
        if item.id is not None:
            self._open_ids[item.id] = item
        self._next_output_index = max(self._next_output_index or 0, item.output_index + 1)

    def _item_done(self, index: int, data: dict[str, Any], out: list[Violation]) -> None:
        output_index = ident(data.get("output_index"))
        raw = data.get("item")
        item_id = ident(raw.get("id")) if isinstance(raw, dict) else None
        item = self._find(index, output_index, item_id, out, "/item/id")
        if item is None:
            return
        for ns, part_index in sorted(item.open_parts, key=repr):
            out.append(Violation(PART_PAIRING.id, f"{ns.replace('_index', '')} part {part_index} of item "
                                 f"{item.id!r} was never done", "/type", "the part's done event",
                                 "response.output_item.done", index))
        del self._items[item.output_index]
        self._open_ids.pop(item.id, None)
        self._closed_indexes.add(item.output_index)
        if item.id is not None:
            self._closed_ids.add(item.id)

    def _find(
        self, index: int, output_index: Any, item_id: Any, out: list[Violation], id_pointer: str
    ) -> _Item | None:
        """The open item an event is about; a violation (and None) when there is none."""
        item = self._items.get(output_index)
        if item is not None and (item_id is None or item.id is None or item_id == item.id):
            return item
        by_id = self._open_ids.get(item_id) if item_id is not None else None
        if by_id is not None:
            out.append(Violation(ITEM_OUTPUT_INDEX.id, f"output_index differs from item {item_id!r}'s",
                                 "/output_index", str(by_id.output_index), repr(output_index), index))
            return by_id
        if item is not None:
            out.append(Violation(ITEM_ITEM_ID.id, f"item_id differs from the id of the item at output_index "
                                 f"{output_index}", id_pointer, repr(item.id), repr(item_id), index))
            return item
        if output_index is None and item_id is None:
            return None
        closed = output_index in self._closed_indexes or item_id in self._closed_ids
        if self._resumed and not closed and output_index.__class__ is int:
            adopted = _Item(item_id, output_index, adopted=True)
            self._open(adopted)
            return adopted
        what = "after its output_item.done" if closed else "without an output_item.added"
        out.append(Violation(ITEM_PAIRING.id, f"an event about item {item_id!r} {what}", "/output_index",
                             "an open item", repr(output_index), index))
        return None

    def _item_event(
        self, index: int, data: dict[str, Any], event_type: str, code: int, family: str, out: list[Violation]
    ) -> None:
        item_id = ident(data.get("item_id"))
        output_index = ident(data.get("output_index"))
        if item_id is None and output_index is None:
            return
        closed = output_index in self._closed_indexes or item_id in self._closed_ids
        if code == _DELTA and closed and output_index not in self._items and item_id not in self._open_ids:
            out.append(Violation(DELTA_AFTER_DONE.id, f"{event_type} after its item's output_item.done",
                                 "/type", "no delta after done", event_type, index))
            return
        item = self._find(index, output_index, item_id, out, "/item_id")
        if item is None or code == _ITEM_EVENT:
            return
        ns = index_field(family, data)
        part_index = ident(data.get(ns))
        if code == _PART_ADDED:
            self._part_added(index, item, ns, part_index, out)
        elif code == _PART_DONE:
            self._part_done(index, item, ns, part_index, out)
        else:
            self._family_event(index, item, event_type, code, family, ns, part_index, out)
            if code == _DELTA and not out and item_id is not None and output_index is not None:
                self._fast = (event_type, item_id, output_index, None if part_index is None else ns, part_index)

    def _part_added(self, index: int, item: _Item, ns: str, part_index: Any, out: list[Violation]) -> None:
        key = (ns, part_index)
        if key in item.open_parts or key in item.parts_done:
            out.append(Violation(PART_PAIRING.id, f"part {ns}={part_index!r} of item {item.id!r} added twice",
                                 "/" + ns, "one added event per part", repr(part_index), index))
            return
        expected = item.next_part.get(ns, 0)
        if part_index != expected and not item.adopted:
            out.append(Violation(PART_INDEX.id, f"parts of item {item.id!r} are not added in order",
                                 "/" + ns, str(expected), repr(part_index), index))
        item.open_parts.add(key)
        if part_index.__class__ is int:
            item.next_part[ns] = max(expected, part_index + 1)

    def _part_done(self, index: int, item: _Item, ns: str, part_index: Any, out: list[Violation]) -> None:
        key = (ns, part_index)
        if key in item.open_parts:
            item.open_parts.discard(key)
            item.parts_done.add(key)
        elif not (item.adopted and key not in item.parts_done):
            what = "done twice" if key in item.parts_done else "done without being added"
            out.append(Violation(PART_PAIRING.id, f"part {ns}={part_index!r} of item {item.id!r} {what}",
                                 "/" + ns, "an open part", repr(part_index), index))

    def _family_event(
        self,
        index: int,
        item: _Item,
        event_type: str,
        code: int,
        family: str,
        ns: str,
        part_index: Any,
        out: list[Violation],
    ) -> None:
        key = (family, part_index)
        if key in item.done_families:
            out.append(Violation(DELTA_AFTER_DONE.id, f"{event_type} after {family}.done", "/type",
                                 "nothing after the done event", event_type, index))
            return
        if part_index is not None and ns != "command_index" and (ns, part_index) not in item.open_parts:
            if code == _DELTA and (ns, part_index) in item.parts_done:
                out.append(Violation(DELTA_AFTER_DONE.id, f"{event_type} after its part's done event",
                                     "/" + ns, "no delta after done", repr(part_index), index))
                return
            if not item.adopted:
                out.append(Violation(PART_PAIRING.id, f"{event_type} outside its part {ns}={part_index!r}",
                                     "/" + ns, "an open part", repr(part_index), index))
                return
        if code == _FAMILY_DONE:
            item.done_families.add(key)
