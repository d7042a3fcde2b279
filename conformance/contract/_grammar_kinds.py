"""The kinds of stream events, derived from their ``type`` names, and the fields that address items and parts."""

from __future__ import annotations

from typing import Any

TERMINAL_TYPES = frozenset({"response.completed", "response.incomplete", "response.failed"})

# Event kinds, derived once per type name.
OTHER, CREATED, QUEUED, IN_PROGRESS, TERMINAL, ERROR, KEEPALIVE = range(7)
ITEM_ADDED, ITEM_DONE, PART_ADDED, PART_DONE, DELTA, FAMILY_DONE, ITEM_EVENT = range(7, 14)
_FIXED = {
    "response.created": CREATED,
    "response.queued": QUEUED,
    "response.in_progress": IN_PROGRESS,
    "error": ERROR,
    "keepalive": KEEPALIVE,
    "response.output_item.added": ITEM_ADDED,
    "response.output_item.done": ITEM_DONE,
}


def classify(event_type: str) -> tuple[int, str]:
    """The kind of an event type and its family (the type without its ``.delta`` / ``.done`` suffix)."""
    if event_type in _FIXED:
        return _FIXED[event_type], event_type
    if event_type in TERMINAL_TYPES:
        return TERMINAL, event_type
    if ":" in event_type or not event_type.startswith("response."):
        return OTHER, event_type
    if event_type.endswith("_part.added"):
        return PART_ADDED, event_type[: -len(".added")]
    if event_type.endswith("_part.done"):
        return PART_DONE, event_type[: -len(".done")]
    if event_type.endswith((".delta", "_delta")):
        return DELTA, event_type[: -len(".delta")]
    if event_type.endswith((".done", "_done")):
        return FAMILY_DONE, event_type[: -len(".done")]
    return ITEM_EVENT, event_type


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
