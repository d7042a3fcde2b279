"""Invariants across objects: Σ deltas == done value == part == item == final output; usage totals.

``check_response`` checks one Response object; ``StreamInvariants`` accumulates a stream's events.
"""

from __future__ import annotations

from typing import Any

from conformance.contract.grammar import TERMINAL_TYPES, ident, index_field, part_field
from conformance.contract.rules import Level, Rule, define
from conformance.contract.violations import Violation, pointer

OR_ITEMS = "Open Responses specification 2026-04-24, §Items are streamable"
OPENAI_RESPONSE = "openai-openapi.yaml Response, ResponseUsage; openai-python 3.57.0 Response"


def _family_rules(name: str, what: str, done: str) -> tuple[Rule, Rule, Rule]:
    return (
        define(f"invariant.{name}.deltas_equal_done", Level.MUST,
               f"The concatenated {what} deltas of a part equal the value of its {done} event.", OR_ITEMS),
        define(f"invariant.{name}.done_equals_part", Level.MUST,
               f"The value of a {done} event equals the {what} of the part's done event.", OR_ITEMS),
        define(f"invariant.{name}.part_equals_item", Level.MUST,
               f"A done {what} part equals the same part in the item of output_item.done.", OR_ITEMS),
    )


TEXT = _family_rules("text", "output_text", "response.output_text.done")
REFUSAL = _family_rules("refusal", "refusal", "response.refusal.done")
SUMMARY = _family_rules(
    "reasoning_summary", "summary_text", "response.reasoning_summary_text.done (Azure: reasoning_summary.done)"
)
DELTAS_EQUAL_DONE = define(
    "invariant.deltas.equal_done",
    Level.MUST,
    "For every other delta family (tool input, code, reasoning text), the concatenated deltas of one stream "
    "equal the value of its done event.",
    OR_ITEMS,
)
OTHER = (
    DELTAS_EQUAL_DONE,
    define("invariant.part.done_equals_part", Level.MUST,
           "The value of any other part's done event (reasoning text, ...) equals the text of its part's done "
           "event.", OR_ITEMS),
    define("invariant.part.part_equals_item", Level.MUST,
           "Any other done part equals the same part in the item of output_item.done.", OR_ITEMS),
)
FUNCTION_ARGUMENTS = define(
    "invariant.function_call.arguments",
    Level.MUST,
    "The concatenated function_call_arguments deltas equal the .done arguments, which equal the "
    "function_call item's arguments.",
    OR_ITEMS,
)
ITEM_EQUALS_FINAL = define(
    "invariant.output.item_equals_final",
    Level.MUST,
    "The item of every output_item.done equals the item at its output_index in the terminal response.",
    OR_ITEMS + "; " + OPENAI_RESPONSE,
)
OUTPUT_IDS_UNIQUE = define(
    "invariant.output.ids_unique", Level.MUST, "The ids of a response's output items are unique.",
    OPENAI_RESPONSE,
)
USAGE_TOTALS = define(
    "invariant.usage.totals",
    Level.MUST,
    "total_tokens == input_tokens + output_tokens, cached_tokens <= input_tokens and reasoning_tokens <= "
    "output_tokens.",
    OPENAI_RESPONSE + " (ResponseUsage)",
)
STATUS_DETAILS = define(
    "invariant.response.status_details",
    Level.MUST,
    "A failed response has an error, an incomplete one has incomplete_details, and any other has neither.",
    OPENAI_RESPONSE + " (status, error, incomplete_details)",
)
TERMINAL_STATUS = define(
    "invariant.response.terminal_status",
    Level.MUST,
    "The terminal event's response has the status its type names (response.completed → completed, ...).",
    "openai-openapi.yaml ResponseCompletedEvent / ResponseIncompleteEvent / ResponseFailedEvent",
)
ID_STABLE = define(
    "invariant.response.id_stable",
    Level.MUST,
    "Every lifecycle event of a stream carries the same response id.",
    "openai-openapi.yaml ResponseCreatedEvent ... ResponseCompletedEvent",
)

_FAMILIES: dict[str, tuple[Rule, Rule, Rule]] = {
    "response.output_text": TEXT,
    "response.refusal": REFUSAL,
    "response.reasoning_summary_text": SUMMARY,
    "response.reasoning_summary": SUMMARY,
}
_PARTS: dict[str, tuple[Rule, Rule, Rule]] = {"output_text": TEXT, "refusal": REFUSAL, "summary_text": SUMMARY}
_LIFECYCLE = frozenset({"response.created", "response.queued", "response.in_progress", *TERMINAL_TYPES})
_OPAQUE = ("encrypted_content", "fingerprint")  # Fernet tokens: a new ciphertext in every copy of an item
_STRUCTURAL = frozenset(
    {"type", "sequence_number", "item_id", "output_index", "content_index", "summary_index", "command_index",
     "obfuscation", "logprobs", "status", "name"}
)


def _int(value: Any) -> int | None:
    return value if value.__class__ is int else None


def check_usage(usage: Any, path: tuple[str | int, ...] = ("usage",)) -> list[Violation]:
    """Violations of the token arithmetic of a ``usage`` object."""
    if not isinstance(usage, dict):
        return []
    out: list[Violation] = []
    inp, outp, total = _int(usage.get("input_tokens")), _int(usage.get("output_tokens")), _int(
        usage.get("total_tokens"))
    if inp is not None and outp is not None and total is not None and total != inp + outp:
        out.append(Violation(USAGE_TOTALS.id, "total_tokens is not input_tokens + output_tokens",
                             pointer([*path, "total_tokens"]), str(inp + outp), str(total)))
    details = usage.get("input_tokens_details")
    cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else None
    if cached is not None and inp is not None and cached > inp:
        out.append(Violation(USAGE_TOTALS.id, "cached_tokens exceeds input_tokens",
                             pointer([*path, "input_tokens_details", "cached_tokens"]), f"<= {inp}", str(cached)))
    details = usage.get("output_tokens_details")
    reasoning = _int(details.get("reasoning_tokens")) if isinstance(details, dict) else None
    if reasoning is not None and outp is not None and reasoning > outp:
        out.append(Violation(USAGE_TOTALS.id, "reasoning_tokens exceeds output_tokens",
                             pointer([*path, "output_tokens_details", "reasoning_tokens"]), f"<= {outp}",
                             str(reasoning)))
    return out


def check_response(response: Any) -> list[Violation]:
    """Violations of the invariants of one Response object (usage, unique output ids, status details)."""
    if not isinstance(response, dict):
        return []
    out = check_usage(response.get("usage"))
    output = response.get("output")
    if isinstance(output, list):
        seen: dict[Any, int] = {}
        for i, item in enumerate(output):
            item_id = ident(item.get("id")) if isinstance(item, dict) else None
            if item_id is None:
                continue
            if item_id in seen:
                out.append(Violation(OUTPUT_IDS_UNIQUE.id, f"output item id {item_id!r} repeats output "
                                     f"item {seen[item_id]}", pointer(["output", i, "id"]), "a new id",
                                     repr(item_id)))
            seen.setdefault(item_id, i)
    status = response.get("status")
    for field, owner in (("error", "failed"), ("incomplete_details", "incomplete")):
        if field not in response or status not in ("completed", "failed", "incomplete", "cancelled"):
            continue
        has = response[field] is not None
        if has != (status == owner):
            expected = "an object" if status == owner else "null"
            out.append(Violation(STATUS_DETAILS.id, f"a {status} response with {field} "
                                 f"{'set' if has else 'null'}", "/" + field, expected,
                                 "an object" if has else "null"))
    return out


def _done_value(family: str, data: dict[str, Any]) -> str | None:
    """The value of a family's done event: the field named after the family, else its one string field."""
    last = family.replace(".", "_").rsplit("_", 1)[-1]
    value = data.get(last)
    if isinstance(value, str):
        return value
    for key, value in data.items():
        if key not in _STRUCTURAL and isinstance(value, str):
            return value
    return None


def _part_text(part: Any) -> Any:
    if not isinstance(part, dict):
        return None
    return part.get("text", part.get("refusal"))


class StreamInvariants:
    """Accumulates a stream's deltas, done values, parts and items; reports what disagrees."""

    def __init__(self, *, starting_after: int | None = None) -> None:
        self.response_id: Any = None
        self._resumed = starting_after is not None
        self._added: set[Any] = set()  # items added in this stream (a resumed stream misses earlier deltas)
        self._deltas: dict[tuple[Any, ...], list[str]] = {}
        self._opaque: set[tuple[Any, ...]] = set()
        self._fast: tuple[str, Any, str | None, Any] | None = None
        self._fast_list: list[str] = []
        self._done_values: dict[tuple[Any, ...], tuple[str, str, int]] = {}
        self._parts: dict[Any, list[tuple[str, Any, Any, int]]] = {}
        self._arguments: dict[Any, tuple[str, int]] = {}
        self._items: dict[int, tuple[Any, int]] = {}

    def feed(self, index: int, data: dict[str, Any]) -> list[Violation]:
        """Violations found at this event (a parsed JSON object)."""
        fast = self._fast
        if fast is not None:
            # Happy path: the next delta of the stream the previous delta was about.
            try:
                if (
                    data["type"] == fast[0]
                    and data["item_id"] == fast[1]
                    and (fast[2] is None or data[fast[2]] == fast[3])
                ):
                    delta = data["delta"]
                    if delta.__class__ is str:
                        self._fast_list.append(delta)
                        return []
            except KeyError:
                pass
            self._fast = None
        event_type = data.get("type")
        if event_type.__class__ is not str:
            return []
        if event_type.endswith((".delta", "_delta")):
            self._delta(data, event_type)
            return []
        if event_type in _LIFECYCLE:
            return self._lifecycle(index, data, event_type)
        if event_type == "response.output_item.done":
            return self._item_done(index, data)
        if event_type == "response.output_item.added":
            item = data.get("item")
            if self._resumed and isinstance(item, dict):
                self._added.add(ident(item.get("id")))
            return []
        if event_type.endswith("_part.done"):
            return self._part_done(index, data, event_type[: -len(".done")])
        if event_type.endswith((".done", "_done")) and event_type.startswith("response."):
            return self._family_done(index, data, event_type[: -len(".done")])
        return []

    def close(self) -> list[Violation]:
        """Violations found at the end of the stream (none: every comparison happens at a done event)."""
        return []

    def _delta(self, data: dict[str, Any], event_type: str) -> None:
        family = event_type[: -len(".delta")]
        ns = index_field(family, data)
        key = (family, ident(data.get("item_id")), ident(data.get("output_index")), ident(data.get(ns)))
        delta = data.get("delta")
        if delta.__class__ is not str:
            self._opaque.add(key)  # e.g. an object delta (older reasoning_summary.delta): nothing to join
            return
        acc = self._deltas.get(key)
        if acc is None:
            acc = self._deltas[key] = []
        acc.append(delta)
        self._fast = (event_type, key[1], None if key[3] is None else ns, key[3])
        self._fast_list = acc

    def _family_done(self, index: int, data: dict[str, Any], family: str) -> list[Violation]:
        ns = index_field(family, data)
        item_id = ident(data.get("item_id"))
        part_index = ident(data.get(ns))
        key = (family, item_id, ident(data.get("output_index")), part_index)
        deltas = self._deltas.pop(key, None)
        value = _done_value(family, data)
        if value is None or key in self._opaque:
            return []
        if family == "response.function_call_arguments":
            self._arguments[item_id] = (value, index)
        elif part_index is not None:
            self._done_values[(item_id, ns, part_index)] = (value, family, index)
        joined = "".join(deltas) if deltas is not None else ""
        if joined == value or (self._resumed and item_id not in self._added):
            return []
        if family == "response.function_call_arguments":
            rule = FUNCTION_ARGUMENTS
        else:
            rule = _FAMILIES.get(family, OTHER)[0]
        field = next((k for k, v in data.items() if v is value), "")
        return [Violation(rule.id, f"the deltas of {family} do not add up to its done value", "/" + field,
                          _clip(value), _clip(joined), index)]

    def _part_done(self, index: int, data: dict[str, Any], family: str) -> list[Violation]:
        ns = part_field(family)
        item_id = ident(data.get("item_id"))
        part_index = ident(data.get(ns))
        part = data.get("part")
        self._parts.setdefault(item_id, []).append((ns, part_index, part, index))
        done = self._done_values.pop((item_id, ns, part_index), None)
        text = _part_text(part)
        if done is None or text == done[0] or (self._resumed and item_id not in self._added):
            return []
        rule = _FAMILIES.get(done[1], OTHER)[1]
        return [Violation(rule.id, f"the part differs from {done[1]}.done (event {done[2]})", "/part",
                          _clip(done[0]), _clip(text), index)]

    def _item_done(self, index: int, data: dict[str, Any]) -> list[Violation]:
        item = data.get("item")
        output_index = data.get("output_index")
        if output_index.__class__ is int:
            self._items[output_index] = (item, index)
        if not isinstance(item, dict):
            return []
        out: list[Violation] = []
        item_id = ident(item.get("id"))
        arguments = self._arguments.pop(item_id, None)
        if arguments is not None and item.get("arguments") != arguments[0]:
            out.append(Violation(FUNCTION_ARGUMENTS.id, f"the item's arguments differ from "
                                 f"function_call_arguments.done (event {arguments[1]})", "/item/arguments",
                                 _clip(arguments[0]), _clip(item.get("arguments")), index))
        for ns, part_index, part, _at in self._parts.pop(item_id, ()):
            field = "summary" if ns == "summary_index" else "content"
            parts = item.get(field)
            found = parts[part_index] if isinstance(parts, list) and _in_range(part_index, parts) else None
            if not _same_part(found, part):
                kind = part.get("type") if isinstance(part, dict) else None
                rule = _PARTS.get(kind, OTHER)[2]  # type: ignore[arg-type]
                out.append(Violation(rule.id, f"{field}[{part_index}] of the item differs from its part's "
                                     "done event", pointer(["item", field, part_index]), _clip(part),
                                     _clip(found), index))
        return out

    def _lifecycle(self, index: int, data: dict[str, Any], event_type: str) -> list[Violation]:
        response = data.get("response")
        if not isinstance(response, dict):
            return []
        out: list[Violation] = []
        response_id = response.get("id")
        if self.response_id is None:
            self.response_id = response_id
        elif response_id != self.response_id:
            out.append(Violation(ID_STABLE.id, "the response id changed during the stream", "/response/id",
                                 repr(self.response_id), repr(response_id), index))
        if event_type not in TERMINAL_TYPES:
            return out
        expected = event_type.rsplit(".", 1)[1]
        status = response.get("status")
        if status != expected:
            out.append(Violation(TERMINAL_STATUS.id, f"{event_type} carries a response with status {status!r}",
                                 "/response/status", repr(expected), repr(status), index))
        for v in check_response(response):
            out.append(Violation(v.rule, v.message, "/response" + v.pointer, v.expected, v.found, index))
        if event_type != "response.failed":
            out.extend(self._final_output(index, response))
        return out

    def _final_output(self, index: int, response: dict[str, Any]) -> list[Violation]:
        output = response.get("output")
        if not isinstance(output, list):
            return []
        out: list[Violation] = []
        for output_index, (item, at) in sorted(self._items.items()):
            final = output[output_index] if output_index < len(output) else None
            if not _same_item(final, item):
                out.append(Violation(ITEM_EQUALS_FINAL.id, f"output[{output_index}] differs from the item of "
                                     f"output_item.done (event {at})", pointer(["response", "output",
                                     output_index]), _clip(item), _clip(final), index))
        return out


def _same_part(a: Any, b: Any) -> bool:
    """Parts agree on their type, text and annotations (``content_part.done`` carries no logprobs)."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return bool(a == b)
    return all(a.get(k) == b.get(k) for k in ("type", "text", "refusal", "annotations"))


def _same_item(a: Any, b: Any) -> bool:
    """Items agree on everything but their opaque encrypted fields, which are re-encrypted for every copy."""
    if not (isinstance(a, dict) and isinstance(b, dict)) or a == b:
        return bool(a == b)
    masked = dict.fromkeys(_OPAQUE)
    return {**a, **masked} == {**b, **masked}


def _in_range(index: Any, values: list[Any]) -> bool:
    return index.__class__ is int and 0 <= index < len(values)


def _clip(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
