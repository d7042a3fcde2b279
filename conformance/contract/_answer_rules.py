"""Exchange rules judged on one answer at a time: streams, JSON bodies, error envelopes, not-found answers."""

from __future__ import annotations

import re

from conformance.contract._judging import (
    Outcome,
    error_message,
    exchange_rule,
    moved,
    place,
    validator,
    violation,
)
from conformance.contract.exchange import Exchange, Session
from conformance.contract.objects import check_object
from conformance.contract.rules import Level
from conformance.contract.stream import check_stream
from conformance.contract.violations import Violation

RECORDINGS = "real recordings (../shared/reference/recordings)"
OPENAI_ERRORS = "openai-openapi.yaml (every error answer: ErrorResponse)"
KINDS = {"create": "response", "retrieve": "response", "cancel": "response", "delete": "deletion",
         "input_items": "input_item_list", "input_tokens": "input_tokens", "compact": "compaction"}
_NOT_FOUND = re.compile(r"not found|does not exist|no such", re.IGNORECASE)


@exchange_rule(
    "exchange.stream.conforms",
    Level.MUST,
    "Every event stream conforms: each event to its schema, the stream to the grammar (a replay from its "
    "starting_after) and to the invariants across its events.",
    "the stream.*, invariant.* and schema.* rules (keepalive events with a sequence_number are legal in the "
    "openai and azure profiles: stream.keepalive.profile)",
)
def stream_conforms(session: Session) -> list[Outcome]:
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        if exchange.events is None:
            continue
        result = check_stream(exchange.stream_events, validator(session.profile),
                              starting_after=exchange.starting_after)
        out.append(Outcome(stream_conforms.id, place(i), tuple(moved(v, i, "events") for v in result.violations)))
    return out


@exchange_rule(
    "exchange.body.conforms",
    Level.MUST,
    "Every 2xx JSON answer conforms to the schema of what its route returns (a Response, a deletion, an input "
    "item list, ...), and a Response object to the invariants across its parts.",
    "openai-openapi.yaml (createResponse, getResponse, cancelResponse, deleteResponse, listInputItems, "
    "getInputTokenCounts, compactConversation); the schema.* and invariant.* rules",
)
def body_conforms(session: Session) -> list[Outcome]:
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        kind = KINDS.get(exchange.kind)
        if kind is None or not exchange.ok or exchange.events is not None:
            continue
        if exchange.body is None:
            found = [violation(body_conforms.id, "the 2xx answer has no JSON body", i, "body",
                               expected=f"a {kind} object", found="no JSON")]
        else:
            try:
                found = [moved(v, i, "body") for v in check_object(exchange.body, kind, validator(session.profile))]
            except ValueError:  # a kind the profile does not define (compact in open-responses)
                continue
        out.append(Outcome(body_conforms.id, place(i), tuple(found)))
    return out


@exchange_rule(
    "exchange.error.envelope",
    Level.MUST,
    "Every 4xx answer carries an error envelope {\"error\": {\"message\": ...}}; type, param and code are "
    "optional.",
    OPENAI_ERRORS + "; " + RECORDINGS + ": all 33 OpenAI 4xx bodies and 2 of the 3 Azure ones carry message, "
    "type, param and code (code and param often null); Azure answers 400 {\"error\": {\"message\": \"Missed "
    "model deployment\"}} with nothing else (azure-sdk-assets__ResponsesTests.WebSearchNotSupported__1), so only "
    "message is required",
)
def error_envelope(session: Session) -> list[Outcome]:
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        if not exchange.client_error:
            continue
        found = envelope(exchange, i, session.profile, error_envelope.id)
        out.append(Outcome(error_envelope.id, place(i), tuple(found)))
    return out


def envelope(exchange: Exchange, index: int, profile: str, rule: str) -> list[Violation]:
    """The violations of an error answer's envelope (a missing JSON body is one)."""
    if exchange.body is None:
        return [violation(rule, f"the {exchange.status} answer has no JSON body", index, "body",
                          expected='{"error": {"message": ...}}', found="no JSON body")]
    return [moved(v, index, "body") for v in validator(profile).validate(exchange.body, "error")]


@exchange_rule(
    "exchange.not_found.status",
    Level.MUST,
    "A request on a response id the server does not know (its error says so, or the id already answered 404) "
    "answers 404 with an error envelope.",
    "openai-openapi.yaml getResponse / deleteResponse / cancelResponse / listInputItems (404); "
    + RECORDINGS + ": Azure and OpenAI answer 404 {\"error\": {\"message\": \"Response with id '...' not "
    "found.\", \"type\": \"invalid_request_error\", ...}}",
)
def not_found_status(session: Session) -> list[Outcome]:
    rule = not_found_status.id
    out: list[Outcome] = []
    unknown: set[str] = set()
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.target
        if rid is None:
            continue
        message = error_message(exchange) or ""
        says = not exchange.ok and rid in message and bool(_NOT_FOUND.search(message))
        if not (says or exchange.status == 404 or rid in unknown):
            continue
        found: list[Violation] = []
        if exchange.status != 404:
            why = "its error says the id is not found" if says else "the id answered 404 before"
            found.append(violation(rule, f"a request on an unknown response id did not answer 404 ({why})", i,
                                   "status", expected="404", found=str(exchange.status)))
        else:
            found += envelope(exchange, i, session.profile, rule)
        unknown.add(rid)
        out.append(Outcome(rule, place(i), tuple(found)))
    return out
