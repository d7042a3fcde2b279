"""``cassettes verify``: re-validate every recorded request, payload and stream against the current contract,
and judge each cassette as a session with the exchange rules (the suite's own judges of retrieve, cancel,
input_items, resume, ... over traffic it did not have to send)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from conformance.cassettes._store import Cassette, CassetteError, content_type, load
from conformance.contract.exchange import Exchange, Session
from conformance.contract.exchange_rules import exchange_rules, judge
from conformance.contract.objects import check_object
from conformance.contract.sse import parse_sse
from conformance.contract.stream import check_stream
from conformance.contract.validate import ContractValidator, detect_kind
from conformance.contract.violations import Violation


@dataclass
class CassetteVerdict:
    """One cassette: its interactions, the violations found (``#n request|response: …``), or why it is unusable."""

    path: Path
    interactions: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None


def cassette_files(root: Path) -> Iterator[Path]:
    """Every ``*.yaml`` cassette under ``root`` (or ``root`` itself), in path order."""
    yield from [root] if root.is_file() else sorted(root.rglob("*.yaml"))


def verify_cassette(path: Path, profile: str | None = None, strict: bool = False) -> CassetteVerdict:
    """Judge one cassette: requests the server accepted, and every answer.

    The profile is ``azure`` for Azure-style URLs (``/openai/``) unless given.
    """
    try:
        cassette = load(path)
    except CassetteError as exc:
        return CassetteVerdict(path, error=str(exc))
    verdict = CassetteVerdict(path, len(cassette.requests))
    validators: dict[str, ContractValidator] = {}
    for index, (request, response) in enumerate(zip(cassette.requests, cassette.responses, strict=True)):
        parts = urlsplit(request.uri)
        chosen = profile or ("azure" if "/openai/" in parts.path else "openai")
        validator = validators.setdefault(chosen, ContractValidator(chosen, strict=strict))
        accepted = 200 <= int(response["status"]["code"]) < 300  # the suite sends invalid requests on purpose
        sent = _request(request.method, parts.path, request.body, validator) if accepted else []
        found = [f"#{index} request: {v}" for v in sent]
        found += [f"#{index} response: {v}" for v in _response(parts.query, response, validator)]
        verdict.problems += found
    verdict.problems += _session_problems(cassette, profile)
    return verdict


# Judged answer by answer above already: the session rules add what needs more than one exchange.
_PER_ANSWER = frozenset({"exchange.stream.conforms", "exchange.body.conforms"})


def _session_problems(cassette: Cassette, profile: str | None) -> list[str]:
    """The exchange rules' findings on the cassette's interactions, taken as one session in recorded order."""
    exchanges = []
    for request, response in zip(cassette.requests, cassette.responses, strict=True):
        body = response["body"]["string"]
        exchanges.append(Exchange.from_raw(request.method, request.uri, request=request.body,
                                           status=int(response["status"]["code"]), body=body,
                                           content_type=content_type(response["headers"])))
    chosen = profile or ("azure" if any("/openai/" in r.uri for r in cassette.requests) else "openai")
    rules = [rule.id for rule in exchange_rules() if rule.id not in _PER_ANSWER]
    session = Session.of(str(cassette.path), exchanges, chosen)
    return [f"#{outcome.place.lstrip('/')} session: {v}" for outcome in judge(session, rules) for v in outcome.violations]


def _request(method: str, path: str, body: Any, validator: ContractValidator) -> list[Violation]:
    if method != "POST" or not path.endswith("/responses") or not body:
        return []
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []  # a digest of a large body, or not JSON: nothing to judge
    return validator.validate(value, "request")


def _response(query: str, response: dict[str, Any], validator: ContractValidator) -> list[Violation]:
    body = response["body"]["string"]
    raw = body.encode() if isinstance(body, str) else body
    ctype = content_type(response["headers"])
    if "text/event-stream" in ctype:
        after = parse_qs(query).get("starting_after")
        starting_after = int(after[0]) if after and after[0].lstrip("-").isdigit() else None
        return check_stream(parse_sse(raw), validator, starting_after=starting_after).violations
    if "json" not in ctype or not raw:
        return []
    value = orjson.loads(raw)
    kind = detect_kind(value)
    if kind is None:
        return []
    return check_object(value, kind, validator)
