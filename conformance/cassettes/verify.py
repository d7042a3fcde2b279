"""``cassettes verify``: re-validate every recorded request, payload and stream against the current contract."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from conformance.cassettes._store import CassetteError, content_type, load
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
    return verdict


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
