"""The result types of the contract core: a precise, citable violation, and a finding (a violation located)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, where (JSON pointer), what was expected and what was found."""

    rule: str
    message: str
    pointer: str = ""
    expected: str | None = None
    found: str | None = None
    index: int | None = None  # position of the event in a stream, when the violation is about one event

    def __str__(self) -> str:
        where = f"event {self.index} " if self.index is not None else ""
        at = f"at {self.pointer or '/'}" if self.pointer or self.index is None else ""
        head = f"[{self.rule}] {where}{at}".rstrip()
        return f"{head}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def pointer(path: list[str | int] | tuple[str | int, ...]) -> str:
    """JSON pointer (RFC 6901) for a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(frozen=True)
class Finding:
    """A violation seen on the way, located: the kind of payload it was in (``where``) and whether only strict
    mode rejects it. Findings with the same :attr:`key` are one root cause, however often they were seen.

    ``where`` is ``response``, ``error``, ``deletion``... (the object's kind; a Response carried by a stream
    event counts as ``response``), ``event <type>`` for an event's own fields, or ``stream`` for the grammar
    and the invariants across events. ``pointer`` is the first place it was seen.
    """

    rule: str
    where: str
    pointer: str
    message: str
    expected: str | None = None
    found: str | None = None
    strict: bool = False  # compat mode accepts it: only strict mode rejects it

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes two findings one: the rule, the kind of payload, the pointer (indexes as ``*``), what was found."""
        return self.rule, self.where, pointer_pattern(self.pointer), self.found or ""

    @property
    def id(self) -> str:
        """A short stable ID of the key: the same root cause has the same ID in every report."""
        return "F" + hashlib.sha1("\x1f".join(self.key).encode()).hexdigest()[:8]

    def __str__(self) -> str:
        at = f"{self.where} {self.pointer}".rstrip() if self.pointer else self.where
        extra = f" (found {self.found})" if self.found and self.found not in self.message else ""
        return f"[{self.rule}] {at}: {self.message}{extra}"

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def pointer_pattern(path: str) -> str:
    """A JSON pointer with its array indexes as ``*``: ``/output/0/content/1`` -> ``/output/*/content/*``."""
    return "/".join("*" if part.isdigit() else part for part in path.split("/"))
