"""The one result type of the contract core: a precise, citable violation."""

from __future__ import annotations

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
