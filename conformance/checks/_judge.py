"""The judge a check uses: validate what the target sent against the cell's profile, compat then strict.

A check fails only for its own property. Every violation the judge sees becomes a *finding* (a located
violation, :class:`~conformance.contract.violations.Finding`) attached to the check's result; only the
violations of the rules the check *owns* (its subject, ``@check(owns=...)``) fail it at once
(ContractViolation), and only its owned strict-only violations make its verdict ``non_strict``.

An owned pattern is a rule-ID glob (``schema.*``), optionally for one kind of payload (``error:schema.*``).
A rule some check owns by its exact ID (``stream.done_sentinel``) is judged by that check alone: one root
cause, one failed check. A Judge made outside a check owns every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from typing import Any

import orjson

from conformance.checks._check import CheckInfo, ContractViolation, expect
from conformance.contract.objects import check_object
from conformance.contract.sse import ServerSentEvent
from conformance.contract.stream import StreamResult, check_stream
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Finding, Violation

EVERY_RULE = ("*",)
Seen = list[tuple[str, Violation]]  # (where, violation): the kind of payload it was found in


class Judge:
    """Validates payloads for one cell's profile; fails the check on the rules it owns, records every finding."""

    def __init__(self, profile: str, owns: Iterable[str] = EVERY_RULE, claimed: Iterable[str] = ()) -> None:
        self.profile = profile
        self.compat = ContractValidator(profile)
        self.strict = ContractValidator(profile, strict=True)
        self.owns = tuple(owns)
        self.claimed = frozenset(claimed) - set(self.owns)  # rules other checks own by their exact ID
        self.findings: list[Finding] = []
        self.strict_only: list[Violation] = []  # the owned ones: they make the verdict non_strict

    @classmethod
    def for_check(cls, profile: str, info: CheckInfo, checks: Mapping[str, CheckInfo]) -> Judge:
        """The judge of the check ``info`` among ``checks`` (the registry)."""
        claimed = {rule for other in checks.values() if other.id != info.id for rule in other.owns
                   if ":" not in rule and not any(c in rule for c in "*?[")}
        return cls(profile, info.owns, claimed)

    def owned(self, where: str, rule: str) -> bool:
        """Whether the check's sentence is about ``rule`` in a payload of kind ``where``."""
        if rule in self.owns:
            return True
        if rule in self.claimed:
            return False
        for pattern in self.owns:
            kind, _, glob = pattern.rpartition(":")
            if (not kind or kind == where) and fnmatchcase(rule, glob):
                return True
        return False

    def object(self, obj: Any, kind: str, title: str = "") -> Any:
        """Validate one object of a top-level kind (``response``, ``error``, ``deletion``, ...); return it."""
        compat = [(kind, v) for v in check_object(obj, kind, self.compat)]
        self._judge(title or f"the {kind} does not conform", compat, [(kind, v) for v in self.strict.validate(obj, kind)])
        return obj

    def response(self, obj: Any, title: str = "") -> dict[str, Any]:
        """Validate a Response object (schema and invariants); return it (a non-object answer fails the check)."""
        self.object(obj, "response", title or "the response object does not conform")
        expect(isinstance(obj, dict), title or "the answer is not a response object", expected="a JSON object",
               actual=type(obj).__name__)
        assert isinstance(obj, dict)
        return obj

    def stream(
        self, events: Iterable[ServerSentEvent], title: str = "", *, starting_after: int | None = None
    ) -> StreamResult:
        """Validate a whole stream: every event's schema, the grammar and the invariants."""
        events = list(events)
        result = check_stream(events, self.compat, starting_after=starting_after)
        strict = check_stream(events, self.strict, starting_after=starting_after)
        self._judge(
            title or "the stream does not conform",
            [_located(events, v) for v in result.violations],
            [_located(events, v) for v in strict.violations if v.rule.startswith("schema.")],
        )
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
        compat = [("error", v) for v in self.compat.validate(body, "error")]
        self._judge(f"the {status} answer has no conforming error envelope", compat,
                    [("error", v) for v in self.strict.validate(body, "error")])

    def _judge(self, title: str, compat: Seen, strict: Seen) -> None:
        """Record every violation as a finding; fail on the owned compat ones; keep the owned strict-only ones."""
        rejected = {(where, v.rule, v.pointer, v.found) for where, v in compat}
        strict_only = [(where, v) for where, v in strict if (where, v.rule, v.pointer, v.found) not in rejected]
        self.findings += [_finding(where, v, strict=False) for where, v in compat]
        self.findings += [_finding(where, v, strict=True) for where, v in strict_only]
        self.strict_only += [v for where, v in strict_only if self.owned(where, v.rule)]
        owned = [v for where, v in compat if self.owned(where, v.rule)]
        if owned:
            raise ContractViolation(title, violations=owned)


def _finding(where: str, violation: Violation, *, strict: bool) -> Finding:
    return Finding(violation.rule, where, violation.pointer, violation.message, violation.expected,
                   violation.found, strict)


def _located(events: list[ServerSentEvent], violation: Violation) -> tuple[str, Violation]:
    """Where a stream's violation is: ``stream`` (grammar, invariants), ``response`` (the Response an event
    carries, its pointer then relative to that Response) or ``event <type>``."""
    if not violation.rule.startswith("schema.") or violation.index is None:
        return "stream", violation
    try:
        data = orjson.loads(events[violation.index].data)
    except (orjson.JSONDecodeError, IndexError):
        return "stream", violation
    kind = data.get("type") if isinstance(data, dict) else None
    pointer = violation.pointer
    if isinstance(kind, str) and kind.startswith("response.") and (pointer == "/response" or pointer.startswith("/response/")):
        moved = Violation(violation.rule, violation.message, pointer[len("/response"):], violation.expected,
                          violation.found, violation.index)
        return "response", moved
    return f"event {kind}" if isinstance(kind, str) else "stream", violation


def _describe(statuses: list[int]) -> str:
    if len(statuses) > 3 and statuses == list(range(statuses[0], statuses[-1] + 1)):
        return f"{statuses[0]}-{statuses[-1]}"
    return " or ".join(map(str, statuses))


ENVELOPE = ("error:schema.*",)
"""What a refusal check owns: the error envelope of the answer it judges."""
RESPONSE = ("response:schema.*", "response:invariant.*")
"""What a check of the Response object owns: its schema and its invariants."""
STREAM = ("schema.*", "stream.*", "invariant.*")
"""What a stream conformance check owns: every event's schema, the grammar and the invariants."""
