"""What a check is: the ``@check`` decorator, its registry, and the outcomes a check body can raise.

A check fails by raising :class:`ContractViolation` (an ``AssertionError``), never by returning a bool.
Every other outcome that is not ``passed`` has its own exception, so nothing is a silent ``return``.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from types import MappingProxyType
from typing import Any, TypeVar

from conformance.capabilities import CAPABILITIES
from conformance.checks._mcp_log import McpLog
from conformance.checks._retired import retired_checks
from conformance.client._errors import HarnessError
from conformance.contract.rules import Level, all_rules
from conformance.contract.violations import Violation

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "CAPABILITIES", "REGISTRY", "CheckInfo", "ContractViolation", "HarnessError", "McpServer", "NonStrict",
    "NotApplicable", "Skipped", "Tier", "Unsupported", "check", "expect", "expect_no_violations", "info_of",
    "registry",
]


class Tier(str, enum.Enum):
    """How much of the suite a run takes: smoke ⊂ core ⊂ full."""

    smoke = "smoke"
    core = "core"
    full = "full"

    def includes(self, other: Tier) -> bool:
        order = [Tier.smoke, Tier.core, Tier.full]
        return order.index(other) <= order.index(self)


@dataclass(frozen=True)
class CheckInfo:
    """A check's metadata: stable ID, level, the sentence it enforces, the spec, what it needs."""

    id: str
    level: Level
    sentence: str
    spec: str
    requires: frozenset[str]
    profiles: frozenset[str] | None
    tier: Tier
    since: str
    function: str
    exclusive: bool = False  # runs alone in its cell: it measures timing or sends a huge body
    owns: tuple[str, ...] = ()  # the rules its sentence is about (globs, ``kind:glob``): they fail it

    @property
    def feature(self) -> str:
        return self.id.split(".", 1)[0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level.value,
            "sentence": self.sentence,
            "spec": self.spec,
            "requires": sorted(self.requires),
            "profiles": sorted(self.profiles) if self.profiles is not None else None,
            "tier": self.tier.value,
            "since": self.since,
            "feature": self.feature,
            "owns": list(self.owns),
        }


@dataclass(frozen=True)
class McpServer:
    """An MCP server the target can reach: its URL, the headers to give the tool, and (the suite's own server
    only) its log; ``notes`` collects what a passing check could not verify (its verdict's reason)."""

    url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    log: McpLog | None = None
    notes: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def seen(self) -> list[dict[str, str]] | None:
        """The headers of every HTTP request the server got (None when it is not the suite's own)."""
        return None if self.log is None else self.log.requests()


REGISTRY: dict[str, CheckInfo] = {}
MARK = "conformance_check"


def check(
    check_id: str,
    *,
    spec: str,
    level: Level = Level.MUST,
    requires: Iterable[str] = (),
    profiles: Iterable[str] | None = None,
    tier: Tier = Tier.core,
    since: str = "0.1.0",
    exclusive: bool = False,
    owns: Iterable[str] = (),
) -> Callable[[F], F]:
    """Register a test function as the check ``check_id``; its docstring's first line is the sentence.

    An ID is never registered twice nor reused once retired (``conformance/data/retired-checks.toml``).

    ``exclusive`` checks never run beside another check of their cell (timing, races, huge bodies).

    ``owns`` names the contract rules the check's sentence is about (rule-ID globs, ``kind:glob`` for one kind
    of payload): a violation of one of them fails the check; any other violation its judge sees is a finding
    of its result, never its verdict (``conformance/checks/_judge.py``).
    """
    needs = frozenset(requires)
    unknown = needs - CAPABILITIES
    if unknown:
        raise ValueError(f"check {check_id!r} requires unknown capabilities {sorted(unknown)}")

    owned = tuple(owns)
    rules = [rule.id for rule in all_rules()]
    stray = [p for p in owned if not any(fnmatchcase(r, p.rpartition(":")[2]) for r in rules)]
    if stray:
        raise ValueError(f"check {check_id!r} owns {stray}, which name no contract rule")

    def decorate(func: F) -> F:
        if check_id in REGISTRY:
            raise ValueError(f"check {check_id!r} is registered twice")
        if check_id in retired_checks():
            raise ValueError(f"check {check_id!r} is retired (conformance/data/retired-checks.toml): "
                             "IDs are never reused")
        doc = inspect.getdoc(func)
        if not doc:
            raise ValueError(f"check {check_id!r} needs a docstring: its MUST/SHOULD sentence")
        info = CheckInfo(
            id=check_id,
            level=level,
            sentence=doc.splitlines()[0],
            spec=spec,
            requires=needs,
            profiles=frozenset(profiles) if profiles is not None else None,
            tier=tier,
            since=since,
            function=f"{func.__module__}.{func.__qualname__}",
            exclusive=exclusive,
            owns=owned,
        )
        REGISTRY[check_id] = info
        func.__conformance_check__ = info  # type: ignore[attr-defined]
        return func

    return decorate


def registry() -> Mapping[str, CheckInfo]:
    """Every check registered so far, by ID (a read-only view)."""
    return MappingProxyType(REGISTRY)


def info_of(func: Any) -> CheckInfo | None:
    """The check a test function was registered as, if any."""
    found = getattr(func, "__conformance_check__", None)
    return found if isinstance(found, CheckInfo) else None


class ContractViolation(AssertionError):
    """The target broke the check's rule: what was expected, what was found."""

    def __init__(self, title: str, *, expected: Any = None, actual: Any = None,
                 violations: Iterable[Violation] = ()) -> None:
        self.title = title
        self.expected = expected
        self.actual = actual
        self.violations = list(violations)
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [self.title]
        if self.expected is not None:
            lines.append(f"Expected: {self.expected}")
        if self.actual is not None:
            lines.append(f"Actual: {self.actual}")
        lines += [f"  {v}" for v in self.violations[:20]]
        if len(self.violations) > 20:
            lines.append(f"  ... and {len(self.violations) - 20} more")
        return "\n".join(lines)


class NonStrict(Exception):
    """The target passes in compat mode but carries what its profile does not declare (strict mode)."""

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations = list(violations)
        super().__init__("; ".join(str(v) for v in self.violations[:5]))


class NotApplicable(Exception):
    """The profile or the capabilities drop this case for the cell."""


class Unsupported(Exception):
    """The capability table says the cell lacks the feature, and the server said so cleanly."""


class Skipped(Exception):
    """The run was not given something the check needs (e.g. a public MCP server URL)."""


def expect(condition: bool, title: str, *, expected: Any = None, actual: Any = None) -> None:
    """Raise a ContractViolation unless ``condition`` holds."""
    if not condition:
        raise ContractViolation(title, expected=expected, actual=actual)


def expect_no_violations(title: str, violations: Iterable[Violation]) -> None:
    """Raise a ContractViolation listing the contract core's violations, if any."""
    found = list(violations)
    if found:
        raise ContractViolation(title, violations=found)
