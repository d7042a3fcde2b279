"""Retired checks: IDs whose sentence proved false, kept with the version and the reason, never reused.

The list is data (``conformance/data/retired-checks.toml``); ``@check`` refuses a retired ID.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class RetiredCheck:
    """A check taken out of the suite: what it said, when it came and went, why, and what replaces it."""

    id: str
    level: str
    sentence: str
    since: str
    retired: str
    reason: str
    source: str
    replaced_by: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "sentence": self.sentence,
            "since": self.since,
            "retired": self.retired,
            "reason": self.reason,
            "source": self.source,
            "replaced_by": list(self.replaced_by),
        }


@cache
def retired_checks() -> dict[str, RetiredCheck]:
    """Every retired check by ID, from the built-in list."""
    text = resources.files("conformance").joinpath("data/retired-checks.toml").read_text("utf-8")
    entries = tomllib.loads(text).get("retired", [])
    return {e["id"]: RetiredCheck(**{**e, "replaced_by": tuple(e.get("replaced_by", ()))}) for e in entries}
