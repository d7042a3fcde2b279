"""What the exchange rules share: their outcome type, their registry and small helpers over sessions.

An exchange rule is a pure function of a ``Session``: for each place it applies (an exchange, or a response
followed through the session) it returns an ``Outcome``, either "not exercised" (an exchange it needs is
missing: recordings are deduplicated, a monitor sees part of a conversation) or the violations it found.
Places and violations are JSON pointers into the session: ``/2`` is its third exchange, ``/2/body/output/0``
a field of that exchange's JSON answer, ``/2/events/7/delta`` a field of the eighth event of its stream.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.contract.exchange import Exchange, Session
from conformance.contract.rules import Level, Rule, define
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Violation, pointer

OPAQUE = frozenset({"encrypted_content", "obfuscation"})  # re-encrypted or random in every copy of an object


@dataclass(frozen=True)
class Outcome:
    """One place where a rule applied: the violations found there, or why it could not be exercised."""

    rule: str
    place: str
    violations: tuple[Violation, ...] = ()
    missing: str | None = None  # set when not exercised: what the session lacks

    @property
    def exercised(self) -> bool:
        return self.missing is None

    @property
    def ok(self) -> bool:
        return self.exercised and not self.violations


Judge = Callable[[Session], list[Outcome]]


@dataclass(frozen=True)
class ExchangeRule:
    """A rule of the catalogue and the judge that applies it to a session."""

    rule: Rule
    judge: Judge

    @property
    def id(self) -> str:
        return self.rule.id

    def __call__(self, session: Session) -> list[Outcome]:
        return self.judge(session)


REGISTRY: dict[str, ExchangeRule] = {}


def exchange_rule(rule_id: str, level: Level, sentence: str, spec: str) -> Callable[[Judge], ExchangeRule]:
    """Register a judge under a new rule of the catalogue (IDs of the ``exchange`` area)."""

    def register(judge: Judge) -> ExchangeRule:
        created = ExchangeRule(define(rule_id, level, sentence, spec), judge)
        REGISTRY[rule_id] = created
        return created

    return register


@functools.cache
def validator(profile: str) -> ContractValidator:
    """The compat-mode validator of a profile (exchange rules judge what a client must accept)."""
    return ContractValidator(profile)


def place(index: int) -> str:
    return f"/{index}"


def moved(violation: Violation, index: int, part: str) -> Violation:
    """A violation found in one part (``body``, ``events``) of exchange ``index``, pointed from the session."""
    inner = violation.pointer
    if part == "events" and violation.index is not None:
        inner = f"/{violation.index}{inner}"
    return Violation(violation.rule, violation.message, f"/{index}/{part}{inner}", violation.expected,
                     violation.found, violation.index)


def violation(rule: str, message: str, index: int, *path: str | int, expected: Any = None,
              found: Any = None) -> Violation:
    """A violation of an exchange rule at ``/<index>/<path...>``."""
    return Violation(rule, message, f"/{index}" + pointer(list(path)), _text(expected), _text(found))


def masked(value: Any) -> Any:
    """A copy without the fields that differ in every copy of the same object (ciphertexts, obfuscation)."""
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items() if k not in OPAQUE}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def error_message(exchange: Exchange) -> str | None:
    """The message of an error envelope, when the answer carries one."""
    body = exchange.body
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def later(session: Session, index: int, response_id: str) -> list[int]:
    """The positions after ``index`` of the exchanges about ``response_id``."""
    return [i for i in session.about(response_id) if i > index]


def _text(value: Any, limit: int = 160) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
