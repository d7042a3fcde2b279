"""The rule catalogue: every rule the contract core enforces, with a stable dotted ID.

IDs are never renamed or reused. Registering an ID twice raises.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Level(str, enum.Enum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    MAY = "MAY"


@dataclass(frozen=True)
class Rule:
    """A contract rule: ID, RFC 2119 level, the one-sentence statement and the spec it comes from."""

    id: str
    level: Level
    sentence: str
    spec: str
    area: str

    def as_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "level": self.level.value,
            "sentence": self.sentence,
            "spec": self.spec,
            "area": self.area,
        }


_RULES: dict[str, Rule] = {}


def define(rule_id: str, level: Level, sentence: str, spec: str) -> Rule:
    """Register a rule; its area is the first segment of its ID."""
    if rule_id in _RULES:
        raise ValueError(f"rule {rule_id!r} is registered twice")
    parts = rule_id.split(".")
    if len(parts) < 2 or not all(parts):
        raise ValueError(f"rule id {rule_id!r} must be dotted, like 'stream.sequence.contiguous'")
    created = Rule(rule_id, level, sentence, spec, parts[0])
    _RULES[rule_id] = created
    return created


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by ID (importing the modules that define them)."""
    from conformance.contract import exchange_rules, grammar, invariants, validate  # noqa: F401  (they register rules)

    return sorted(_RULES.values(), key=lambda r: r.id)


def known(rule_id: str) -> Rule | None:
    """The rule of that ID, or None when this version defines none (a report of another version)."""
    all_rules()
    return _RULES.get(rule_id)


def get(rule_id: str) -> Rule:
    all_rules()
    return _RULES[rule_id]
