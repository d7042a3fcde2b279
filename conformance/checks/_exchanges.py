"""A check's judge as exchange rules: what its scenario sent and got, as exchanges, judged by the contract.

One implementation: a check whose judgement is an exchange rule (it needs no probe of its own) builds the
exchanges of its scenario and calls the rule, the very judge ``cassettes verify``, the calibration on real
recordings and a passive monitor run. The judge (``rule_violations``) is pure; ``expect_rules`` turns its
findings into the check's verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from conformance.checks._check import ContractViolation, HarnessError
from conformance.client import ApiResponse
from conformance.contract.exchange import Exchange, Session, route_of
from conformance.contract.exchange_rules import judge
from conformance.contract.sse import ServerSentEvent
from conformance.contract.violations import Violation


def sent(method: str, path: str, reply: ApiResponse, request: Any = None) -> Exchange:
    """A JSON exchange: the request (``path`` with its query, without the URL-style prefix) and its answer."""
    return answer(method, path, reply.body, status=reply.status_code, request=request, headers=reply.headers)


def answer(
    method: str,
    path: str,
    body: Any,
    *,
    status: int = 200,
    request: Any = None,
    headers: Mapping[str, str] | None = None,
) -> Exchange:
    """A JSON exchange from the body a check already read (a 200 answer unless ``status`` says otherwise)."""
    return Exchange.from_raw(
        method, path, request=request, status=status, body=body, headers=headers, source="check"
    )


def streamed(
    request: dict[str, Any], events: Iterable[ServerSentEvent], path: str = "/responses"
) -> Exchange:
    """A streamed create (or replay, with ``path``): its request and every event read."""
    raw = tuple(events)
    payloads = [data for data in map(_payload, raw) if data is not None]
    probe = Exchange.from_raw(
        "POST" if path == "/responses" else "GET", path, request=request, source="check"
    )
    return Exchange(
        method=probe.method,
        route=route_of(path),
        query=probe.query,
        request=request,
        status=200,
        events=payloads,
        sse=raw,
        source="check",
    )


def rule_violations(profile: str, exchanges: Sequence[Exchange], rules: Iterable[str]) -> list[Violation]:
    """The violations the exchange ``rules`` find in the exchanges (one session, judged for ``profile``).

    Raises HarnessError when a rule could not be exercised: the scenario did not produce what it needs.
    """
    outcomes = judge(Session.of("check", exchanges, profile), list(rules))
    missing = sorted({f"{o.rule}: {o.missing}" for o in outcomes if not o.exercised})
    if missing or not outcomes:
        raise HarnessError("the exchanges do not exercise the rule(s): " + ("; ".join(missing) or "no place"))
    return [v for o in outcomes for v in o.violations]


def expect_rules(title: str, profile: str, exchanges: Sequence[Exchange], *rules: str) -> None:
    """Fail the check with ``title`` when the exchange rules find violations in what its scenario produced."""
    found = rule_violations(profile, exchanges, rules)
    if found:
        raise ContractViolation(title, violations=found)


def _payload(event: ServerSentEvent) -> dict[str, Any] | None:
    try:
        data = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None
