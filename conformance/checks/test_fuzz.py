"""Fuzz checks: create requests generated from ``schemas/openapi.json``, valid and invalid, and the stateful links.

Each check sends a few generated requests through a scratch client (small ``max_output_tokens``, the run's
budget), shrinks the first failure with hypothesis, replays the smallest one into the evidence and fails
with that request and a curl line.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from conformance.checks._check import ContractViolation, HarnessError, Tier, check
from conformance.checks._fuzz import Finding, create_bodies, curl, hunt
from conformance.checks._judge import ENVELOPE, RESPONSE, Judge
from conformance.client import ApiResponse, Evidence, ResponsesClient
from conformance.contract.validate import ContractValidator
from conformance.matrix import Cell

SPEC = "schemas/openapi.json (assembled from schemas/), createResponse"
STATEFUL_SPEC = "schemas/openapi.json links: createResponse → getResponse → listInputItems → deleteResponse"
STORED = ("openai", "azure")  # Open Responses defines POST /responses only


def _scratch(client: ResponsesClient) -> ResponsesClient:
    """The client logging into a throwaway evidence: only the replayed failure is kept."""
    return client.bind(Evidence(client.secrets))


def _fail(client: ResponsesClient, finding: Finding, title: str, expected: str, replayed: str) -> ContractViolation:
    """The verdict's line holds the minimal request; its replayed exchange in the evidence gets a curl line."""
    line = curl(client, "POST", "/responses", finding.body)
    for exchange in client.evidence.exchanges:
        if exchange.get("method") == "POST" and exchange.get("url", "").split("?")[0].endswith("/responses"):
            exchange["reproduce"] = line
            break
    body = orjson.dumps(finding.body).decode()
    actual = f"{finding.problem} (replayed: {replayed}) to POST /responses {body}"
    return ContractViolation(title, expected=expected, actual=client.secrets.scrub(actual))


def _nothing_judged(client: ResponsesClient, bodies: list[Any], answers: list[ApiResponse], what: str) -> HarnessError:
    """The error of a check whose generated requests were all turned away: it judged nothing. The first body
    is sent again through the check's own client, so the verdict carries its evidence."""
    statuses = Counter(a.status_code for a in answers)
    seen = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items())) or "no answer"
    if bodies:
        _send(client, bodies[0])
    return HarnessError(f"not judged: {what} ({len(answers)} generated requests answered {seen})")


def _send(client: ResponsesClient, body: Any) -> ApiResponse:
    """A generated body as it is (an accepted one is registered for cleanup)."""
    return client.create(body) if isinstance(body, dict) else client.raw("POST", "/responses", json=body)


def _status_problem(answer: ApiResponse, errors: ContractValidator) -> str | None:
    if answer.status_code >= 500 or answer.status_code < 200 or 300 <= answer.status_code < 400:
        return f"answered {answer.status_code}"
    if answer.status_code >= 400:
        found = errors.validate(answer.body, "error")
        if found:
            return f"answered {answer.status_code} without a conforming error envelope: {found[0]}"
    return None


@check("fuzz.create.valid_not_5xx", owns=ENVELOPE, spec=SPEC, requires=("text",), tier=Tier.full)
def test_schema_valid_create_requests_never_get_a_5xx(cell: Cell, client: ResponsesClient) -> None:
    """A schema-valid create request MUST be answered 2xx, or 4xx with a conforming error envelope, never 5xx."""
    errors = ContractValidator(cell.profile)
    scratch = _scratch(client)
    bodies: list[Any] = []
    answers: list[ApiResponse] = []

    def problem(body: Any) -> str | None:
        bodies.append(body)
        answers.append(scratch.create(body))
        return _status_problem(answers[-1], errors)

    finding = hunt(create_bodies(cell.profile, client.target.model, valid=True), problem)
    if finding is not None:
        replay = client.create(finding.body)
        raise _fail(client, finding, "a schema-valid create request got no 2xx or clean 4xx",
                    "2xx, or 4xx with an error envelope", str(replay.status_code))
    if not any(a.ok for a in answers):
        raise _nothing_judged(client, bodies, answers, "every schema-valid create request was refused")


@check("fuzz.create.invalid_rejected", owns=ENVELOPE, spec=SPEC + " (negative data)", requires=("text",), tier=Tier.full)
def test_schema_invalid_create_requests_are_rejected(cell: Cell, client: ResponsesClient) -> None:
    """A create request that breaks the request schema MUST be rejected with a 4xx and a conforming error envelope."""
    errors = ContractValidator(cell.profile)
    scratch = _scratch(client)

    def rejected(body: Any) -> str | None:
        answer = _send(scratch, body)
        if 200 <= answer.status_code < 300:
            return f"accepted with {answer.status_code}"
        return _status_problem(answer, errors)

    finding = hunt(create_bodies(cell.profile, client.target.model, valid=False), rejected, examples=10)
    if finding is not None:
        replay = _send(client, finding.body)
        raise _fail(client, finding, "a create request that breaks the schema was not rejected",
                    "4xx with an error envelope", str(replay.status_code))


@check("fuzz.create.answers_conform", owns=RESPONSE, spec=SPEC + " (200 response schema)", requires=("text",), tier=Tier.full)
def test_answers_to_generated_requests_conform(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Every 2xx answer to a schema-valid create request MUST be a Response that conforms to the schema."""
    scratch = _scratch(client)
    bodies: list[Any] = []
    answers: list[ApiResponse] = []

    def conforms(body: Any) -> str | None:
        bodies.append(body)
        answer = scratch.create(body)
        answers.append(answer)
        if not answer.ok:
            return None
        try:
            judge.response(answer.body)
        except ContractViolation as exc:
            return str(exc).splitlines()[0] + ": " + "; ".join(map(str, exc.violations[:3]))
        return None

    finding = hunt(create_bodies(cell.profile, client.target.model, valid=True), conforms)
    if finding is not None:
        replay = client.create(finding.body)
        raise _fail(client, finding, "the answer to a generated create request does not conform",
                    "a conforming Response object", str(replay.status_code))
    if not any(a.ok for a in answers):
        raise _nothing_judged(client, bodies, answers, "no generated create request was accepted, so no answer "
                              "could be judged")


def _after_delete(client: ResponsesClient, body: Any, flows: list[int], answers: list[ApiResponse] | None = None) -> str | None:
    """Follow the links create → retrieve → input_items → delete, then expect 404 everywhere."""
    created = client.create(body)
    if answers is not None:
        answers.append(created)
    rid = created.json_or_none.get("id") if created.ok and created.json_or_none else None
    if not isinstance(rid, str):
        return None
    flows.append(1)
    steps: list[tuple[str, str, int]] = [
        ("GET", f"/responses/{rid}", 200), ("GET", f"/responses/{rid}/input_items", 200),
        ("DELETE", f"/responses/{rid}", 200), ("GET", f"/responses/{rid}", 404),
        ("GET", f"/responses/{rid}/input_items", 404), ("POST", f"/responses/{rid}/cancel", 404),
        ("DELETE", f"/responses/{rid}", 404),
    ]
    for method, path, expected in steps:
        first_delete = method == "DELETE" and expected == 200
        status = (client.delete(rid) if first_delete else client.raw(method, path)).status_code
        if status != expected:
            return f"{method} {path} answered {status}, expected {expected}"
    return None


@check("fuzz.stateful.use_after_free", spec=STATEFUL_SPEC, requires=("text", "store"), profiles=STORED,
       tier=Tier.full)
def test_a_deleted_response_answers_404_everywhere(cell: Cell, client: ResponsesClient) -> None:
    """After DELETE, every operation on a stored response (retrieve, input_items, cancel, delete) MUST answer 404."""
    scratch = _scratch(client)
    flows: list[int] = []
    bodies: list[Any] = []
    answers: list[ApiResponse] = []

    def follow(body: Any) -> str | None:
        bodies.append(body)
        return _after_delete(scratch, body, flows, answers)

    finding = hunt(create_bodies(cell.profile, client.target.model, valid=True, store=True), follow, examples=10)
    if finding is not None:
        replayed = _after_delete(client, finding.body, []) or "passed"
        raise _fail(client, finding, "a deleted response is still reachable",
                    "404 from retrieve, input_items, cancel and delete after DELETE", replayed)
    if not flows:
        raise _nothing_judged(client, bodies, answers, "no generated create request was accepted with a response "
                              "id, so no stateful flow could run")
