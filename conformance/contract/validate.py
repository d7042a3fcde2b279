"""Schema validation of single objects: pick the schema by kind (and by ``type`` for events), return violations.

Compiled validators (jsonschema-rs) are built once per (profile, mode) and cached.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal, get_args

import jsonschema_rs

from conformance.contract import _schemas
from conformance.contract._schemas import PROFILES as PROFILES
from conformance.contract._schemas import Profile as Profile
from conformance.contract.rules import Level, define
from conformance.contract.violations import Violation, pointer

SPEC = "schemas/ (JSON Schema 2020-12, from the OpenAI, Azure and Open Responses specs)"

REQUIRED = define(
    "schema.required", Level.MUST, "Every field the contract requires is present.", SPEC
)
TYPE = define("schema.type", Level.MUST, "Every field has the JSON type the contract declares.", SPEC)
ENUM = define(
    "schema.enum", Level.MUST, "Every enumerated field holds one of the values the contract lists.", SPEC
)
DISCRIMINATOR = define(
    "schema.discriminator",
    Level.MUST,
    "Every object's `type` names a variant the profile defines (strict mode; compat accepts new variants).",
    SPEC,
)
CONSTRAINT = define(
    "schema.constraint",
    Level.MUST,
    "Every value respects its declared bounds, lengths, patterns and formats.",
    SPEC,
)
SHAPE = define(
    "schema.shape",
    Level.MUST,
    "Every value matches one of the alternative shapes the contract allows for it.",
    SPEC,
)
UNDECLARED = define(
    "schema.undeclared",
    Level.SHOULD,
    "No object carries a property its profile does not declare (strict mode only).",
    SPEC,
)
NOT_OBJECT = define(
    "schema.json",
    Level.MUST,
    "Every payload is a well-formed JSON value of the kind expected in that place.",
    "RFC 8259; schemas/",
)

ObjectKind = Literal[
    "request", "response", "error", "deletion", "input_item_list", "file", "file_list", "file_deletion",
    "input_tokens", "compaction", "event",
]
"""Top-level kinds of object that can be validated by name; events are dispatched by `type`."""
KINDS: tuple[ObjectKind, ...] = get_args(ObjectKind)
InputKind = Literal["auto", "stream", ObjectKind]
"""What a file to validate holds: told by content (``auto``), an SSE transcript or JSON event array, or one kind."""

_RULE_BY_KIND = {
    "Required": REQUIRED.id,
    "Type": TYPE.id,
    "Enum": ENUM.id,
    "Constant": ENUM.id,
    "AdditionalProperties": UNDECLARED.id,
    "UnevaluatedProperties": UNDECLARED.id,
    "AnyOf": SHAPE.id,
    "OneOfNotValid": SHAPE.id,
    "OneOfMultipleValid": SHAPE.id,
    "Not": SHAPE.id,
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _best_leaf(error: Any) -> Any:
    """For anyOf / oneOf failures, the error of the branch that came closest (fewest, deepest errors)."""
    kind = error.kind
    if type(kind).__name__ not in ("AnyOf", "OneOfNotValid"):
        return error
    branches = [b for b in getattr(kind, "context", []) if b]
    if not branches:
        return error
    best = min(branches, key=lambda errs: (len(errs), -max(len(list(e.instance_path)) for e in errs)))
    return _best_leaf(best[0]) if len(best) == 1 else error


def _to_violation(error: Any) -> Violation:
    leaf = _best_leaf(error)
    kind_name = type(leaf.kind).__name__
    path = list(leaf.instance_path)
    details = leaf.kind.as_dict() if hasattr(leaf.kind, "as_dict") else {}
    rule = _RULE_BY_KIND.get(kind_name, CONSTRAINT.id)
    expected: str | None = None
    found: str | None = None
    if kind_name == "Required":
        expected, found = f"property {details.get('property')!r}", "missing"
        path = [*path, str(details.get("property"))]
    elif kind_name == "Type":
        expected, found = " or ".join(details.get("types", [])), _json_type(leaf.instance)
    elif kind_name in ("Enum", "Constant"):
        options = details.get("options", [details.get("expected_value")])
        expected, found = "one of " + _short(options, 200), _short(leaf.instance)
        if path and path[-1] == "type" and kind_name == "Enum":
            rule = DISCRIMINATOR.id
    elif kind_name in ("AdditionalProperties", "UnevaluatedProperties"):
        unexpected = details.get("unexpected", [])
        expected, found = "only declared properties", ", ".join(map(str, unexpected))
    else:
        found = _short(leaf.instance)
    return Violation(rule, leaf.message, pointer(path), expected, found)


class ContractValidator:
    """Validates objects of a profile, in strict or compat mode."""

    def __init__(self, profile: str = "openai", *, strict: bool = False) -> None:
        if profile not in _schemas.PROFILES:
            raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(_schemas.PROFILES)}")
        self.profile = profile
        self.strict = strict
        compiled = _compiled(profile, strict)
        self._by_kind: Mapping[str, Any] = compiled[0]
        self._by_event: Mapping[str, Any] = compiled[1]
        self._event_fallback: Any = compiled[2]

    @property
    def event_types(self) -> frozenset[str]:
        """Every event `type` the profile defines."""
        return frozenset(self._by_event)

    def validate(self, obj: Any, kind: str) -> list[Violation]:
        """Violations of one object of a top-level kind (``request``, ``response``, ``event``, ...)."""
        if kind == "event":
            return self.validate_event(obj)
        try:
            validator = self._by_kind[kind]
        except KeyError:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}") from None
        if validator.is_valid(obj):
            return []
        return [_to_violation(e) for e in validator.iter_errors(obj)]

    def validate_against(self, obj: Any, file: str) -> list[Violation]:
        """Violations of an object against any catalogued schema file (``items/message.json``)."""
        validator = _compiled_file(self.profile, self.strict, file)
        if validator.is_valid(obj):
            return []
        return [_to_violation(e) for e in validator.iter_errors(obj)]

    def is_valid_event(self, event: Any) -> bool:
        """Fast path: True when the event validates (no violation objects are built)."""
        if not isinstance(event, dict):
            return False
        validator = self._by_event.get(event.get("type"))  # type: ignore[arg-type]
        if validator is None:
            if self.strict:
                return False
            validator = self._event_fallback
        return bool(validator.is_valid(event))

    def are_valid_events(self, event_type: Any, events: list[dict[str, Any]]) -> bool:
        """Fast path for a batch of events of one ``type``: one call into the compiled validator."""
        if event_type not in self._by_event:
            return all(self.is_valid_event(e) for e in events)
        return bool(_compiled_batch(self.profile, self.strict, event_type).is_valid(events))

    def validate_event(self, event: Any) -> list[Violation]:
        """Violations of one stream event, validated against the schema of its ``type``."""
        if not isinstance(event, dict):
            return [
                Violation(NOT_OBJECT.id, "an event's data is not a JSON object", "", "object", _json_type(event))
            ]
        event_type = event.get("type")
        validator = self._by_event.get(event_type) if isinstance(event_type, str) else None
        if validator is None:
            violations = [_to_violation(e) for e in self._event_fallback.iter_errors(event)]
            if self.strict and isinstance(event_type, str):
                violations.append(
                    Violation(
                        DISCRIMINATOR.id,
                        f"event type {event_type!r} is not defined by the {self.profile} profile",
                        "/type",
                        "an event type of the profile",
                        repr(event_type),
                    )
                )
            return violations
        if validator.is_valid(event):
            return []
        return [_to_violation(e) for e in validator.iter_errors(event)]


@functools.cache
def _registry(profile: str, strict: bool) -> Any:
    raw = _schemas.raw_schemas()
    resources = [
        (_schemas.uri(f), _schemas.derive(f, s, profile, strict)) for f, s in sorted(raw.items())
    ]
    return jsonschema_rs.Registry(resources)


@functools.cache
def _compiled_file(profile: str, strict: bool, file: str) -> Any:
    if file not in _schemas.raw_schemas():
        raise ValueError(f"{file!r} is not a catalogued schema file")
    return jsonschema_rs.validator_for(
        {"$schema": _schemas.DIALECT, "$ref": _schemas.uri(file)}, registry=_registry(profile, strict)
    )


@functools.cache
def _compiled_batch(profile: str, strict: bool, event_type: str) -> Any:
    entry = next(e for e in _schemas.catalog() if e.kind == "event" and e.type == event_type)
    return jsonschema_rs.validator_for(
        {"$schema": _schemas.DIALECT, "type": "array", "items": {"$ref": _schemas.uri(entry.file)}},
        registry=_registry(profile, strict),
    )


@functools.cache
def _compiled(profile: str, strict: bool) -> tuple[dict[str, Any], dict[str, Any], Any]:
    def compile_ref(file: str) -> Any:
        return _compiled_file(profile, strict, file)

    by_kind: dict[str, Any] = {}
    by_event: dict[str, Any] = {}
    fallback: Any = None
    for entry in _schemas.catalog():
        if profile not in entry.profiles:
            continue
        if entry.kind == "event" and entry.type:
            by_event[entry.type] = compile_ref(entry.file)
        elif entry.kind == "event_base":
            fallback = compile_ref(entry.file)
        elif entry.kind in KINDS:
            by_kind[entry.kind] = compile_ref(entry.file)
    if fallback is None:
        raise _schemas.SchemaError("the catalog has no event_base schema")
    return by_kind, by_event, fallback


def detect_kind(obj: Any) -> ObjectKind | None:
    """Best guess of the top-level kind of a JSON object (None when nothing fits)."""
    if not isinstance(obj, dict):
        return None
    obj_type = obj.get("object")
    if obj_type == "response":
        return "response"
    if obj_type == "response.deleted" or (obj_type is None and "deleted" in obj and "id" in obj):
        return "deletion"
    if obj_type == "file.deleted" or (obj_type == "file" and "deleted" in obj):
        return "file_deletion"
    if obj_type == "file":
        return "file"
    if obj_type == "response.input_tokens":
        return "input_tokens"
    if obj_type == "response.compaction":
        return "compaction"
    if obj_type == "list":
        data = obj.get("data")
        first = data[0] if isinstance(data, list) and data and isinstance(data[0], dict) else {}
        return "file_list" if first.get("object") == "file" else "input_item_list"
    if "error" in obj and obj_type is None and "type" not in obj:
        return "error"
    event_type = obj.get("type")
    if isinstance(event_type, str) and (
        "sequence_number" in obj or event_type.startswith("response.") or event_type in ("error", "keepalive")
    ):
        return "event"
    if "model" in obj or "input" in obj or "previous_response_id" in obj or "prompt" in obj:
        return "request"
    return None
