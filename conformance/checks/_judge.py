"""The judge a check uses: validate what the target sent against the cell's profile, compat then strict.

Compat violations fail the check at once (ContractViolation). Strict-only violations are remembered;
when the check otherwise passes, the runner turns them into a ``non_strict`` verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conformance.checks._check import ContractViolation, expect
from conformance.contract.objects import check_object
from conformance.contract.sse import ServerSentEvent
from conformance.contract.stream import StreamResult, check_stream
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Violation


class Judge:
    """Validates payloads for one cell's profile; collects strict-only findings for ``non_strict``."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.compat = ContractValidator(profile)
        self.strict = ContractValidator(profile, strict=True)
        self.strict_only: list[Violation] = []

    def object(self, obj: Any, kind: str, title: str = "") -> Any:
        """Validate one object of a top-level kind (``response``, ``error``, ``deletion``, ...); return it."""
        found = check_object(obj, kind, self.compat)
        if found:
            raise ContractViolation(title or f"the {kind} does not conform", violations=found)
        self._strict(self.strict.validate(obj, kind))
        return obj

    def response(self, obj: Any, title: str = "") -> dict[str, Any]:
        """Validate a Response object (schema and invariants); return it."""
        self.object(obj, "response", title or "the response object does not conform")
        assert isinstance(obj, dict)
        return obj

    def stream(
        self, events: Iterable[ServerSentEvent], title: str = "", *, starting_after: int | None = None
    ) -> StreamResult:
        """Validate a whole stream: every event's schema, the grammar and the invariants."""
        events = list(events)
        result = check_stream(events, self.compat, starting_after=starting_after)
        if result.violations:
            raise ContractViolation(title or "the stream does not conform", violations=result.violations)
        strict = check_stream(events, self.strict, starting_after=starting_after)
        self._strict([v for v in strict.violations if v.rule.startswith("schema.")])
        return result

    def error(self, status: int, body: Any, *, statuses: Iterable[int] = range(400, 500), title: str = "") -> None:
        """A client error: the expected status class and a conforming error envelope."""
        allowed = list(statuses)
        expect(
            status in allowed,
            title or "the target did not answer with the expected error status",
            expected=_describe(allowed),
            actual=status,
        )
        found = self.compat.validate(body, "error")
        if found:
            raise ContractViolation(f"the {status} answer has no conforming error envelope", violations=found)
        self._strict(self.strict.validate(body, "error"))

    def _strict(self, violations: list[Violation]) -> None:
        self.strict_only += violations


def _describe(statuses: list[int]) -> str:
    if len(statuses) > 3 and statuses == list(range(statuses[0], statuses[-1] + 1)):
        return f"{statuses[0]}-{statuses[-1]}"
    return " or ".join(map(str, statuses))
