"""The grammar's rules about output items and their parts: added and done in pairs, in order, by one id."""

from __future__ import annotations

from typing import Any

from conformance.contract._grammar_kinds import (
    DELTA,
    FAMILY_DONE,
    ITEM_EVENT,
    PART_ADDED,
    PART_DONE,
    ident,
    index_field,
)
from conformance.contract._stream_rules import (
    DELTA_AFTER_DONE,
    ITEM_ITEM_ID,
    ITEM_OUTPUT_INDEX,
    ITEM_PAIRING,
    PART_INDEX,
    PART_PAIRING,
)
from conformance.contract.violations import Violation

# The events that end an mcp_list_tools item: OpenAI sends output_item.done for the last of several listings only
# (pydantic/pydantic-ai#5419), so an item ended by one of these is not "never done" (the ITEM_PAIRING rule).
LISTING_ENDS = frozenset({"response.mcp_list_tools.completed", "response.mcp_list_tools.failed"})


class Item:
    """An output item seen in the stream: its id, index, parts and closed families."""

    __slots__ = ("adopted", "done_families", "ended", "id", "next_part", "open_parts", "output_index",
                 "parts_done")

    def __init__(self, item_id: Any, output_index: int, *, adopted: bool = False) -> None:
        self.id = item_id
        self.output_index = output_index
        self.adopted = adopted  # first seen mid-item in a resumed stream: its earlier events are unknown
        self.next_part: dict[str, int] = {}
        self.open_parts: set[tuple[str, Any]] = set()
        self.parts_done: set[tuple[str, Any]] = set()
        self.done_families: set[tuple[str, Any]] = set()
        self.ended = False  # an mcp_list_tools item whose listing completed (or failed): its done may not follow


class ItemRules:
    """The item and part half of ``StreamGrammar``, which sets these attributes."""

    _resumed: bool
    _items: dict[Any, Item]  # open items by output_index
    _open_ids: dict[Any, Item]
    _closed_ids: set[Any]
    _closed_indexes: set[Any]
    _next_output_index: int | None
    _fast: tuple[str, Any, Any, str | None, Any] | None  # the last delta target that passed

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
        self._open(Item(item_id, output_index))

    def _open(self, item: Item) -> None:
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
    ) -> Item | None:
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
            adopted = Item(item_id, output_index, adopted=True)
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
        if code == DELTA and closed and output_index not in self._items and item_id not in self._open_ids:
            out.append(Violation(DELTA_AFTER_DONE.id, f"{event_type} after its item's output_item.done",
                                 "/type", "no delta after done", event_type, index))
            return
        item = self._find(index, output_index, item_id, out, "/item_id")
        if item is None:
            return
        if code == ITEM_EVENT:
            item.ended = item.ended or event_type in LISTING_ENDS
            return
        ns = index_field(family, data)
        part_index = ident(data.get(ns))
        if code == PART_ADDED:
            self._part_added(index, item, ns, part_index, out)
        elif code == PART_DONE:
            self._part_done(index, item, ns, part_index, out)
        else:
            self._family_event(index, item, event_type, code, family, ns, part_index, out)
            if code == DELTA and not out and item_id is not None and output_index is not None:
                self._fast = (event_type, item_id, output_index, None if part_index is None else ns, part_index)

    def _part_added(self, index: int, item: Item, ns: str, part_index: Any, out: list[Violation]) -> None:
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

    def _part_done(self, index: int, item: Item, ns: str, part_index: Any, out: list[Violation]) -> None:
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
        item: Item,
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
            if code == DELTA and (ns, part_index) in item.parts_done:
                out.append(Violation(DELTA_AFTER_DONE.id, f"{event_type} after its part's done event",
                                     "/" + ns, "no delta after done", repr(part_index), index))
                return
            if not item.adopted:
                out.append(Violation(PART_PAIRING.id, f"{event_type} outside its part {ns}={part_index!r}",
                                     "/" + ns, "an open part", repr(part_index), index))
                return
        if code == FAMILY_DONE:
            item.done_families.add(key)
