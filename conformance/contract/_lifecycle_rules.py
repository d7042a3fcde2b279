"""Exchange rules that follow one stored response through a session: retrieve, delete, cancel, store, background."""

from __future__ import annotations

from typing import Any

from conformance.contract._answer_rules import envelope
from conformance.contract._judging import Outcome, exchange_rule, later, masked, place, violation
from conformance.contract.exchange import TERMINAL_STATUSES, Exchange, Session
from conformance.contract.rules import Level
from conformance.contract.violations import Violation

RECORDINGS = "real recordings (../shared/reference/recordings)"
AZURE_BACKGROUND = "Azure Responses how-to, §Background mode"
FIXED = ("id", "model", "previous_response_id", "instructions", "tools")  # set when the response is created
FINISHED = ("status", "output", "usage")  # settled once the response is terminal
RANK = {"queued": 0, "in_progress": 1, **dict.fromkeys(TERMINAL_STATUSES, 2)}


def _background(session: Session, response_id: str) -> bool:
    """The session shows the response runs in background (its create asked for it, or an answer says so)."""
    request = session.created_with(response_id) or {}
    if request.get("background") is True:
        return True
    return any(r.get("background") is True for i in session.about(response_id)
               for r in session.exchanges[i].responses)


def _unstored(exchange: Exchange) -> bool:
    """A foreground create whose answer says store: false (or, when the answer does not say, its request did)."""
    response = exchange.response or {}
    request = exchange.request if isinstance(exchange.request, dict) else {}
    background = response.get("background", request.get("background"))
    return exchange.ok and response.get("store", request.get("store")) is False and background is not True


def _differences(rule: str, before: dict[str, Any], after: dict[str, Any], keys: tuple[str, ...],
                 index: int, what: str) -> list[Violation]:
    """One violation per key (one per output item) whose values differ, compared without opaque fields."""
    out: list[Violation] = []
    for key in keys:
        if key not in before or key not in after:
            continue
        a, b = masked(before[key]), masked(after[key])
        if a == b:
            continue
        if key == "output" and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            out += [violation(rule, f"output item {n} differs from {what}", index, "body", "output", n,
                              expected=x, found=y) for n, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            continue
        out.append(violation(rule, f"{key} differs from {what}", index, "body", key, expected=a, found=b))
    return out


@exchange_rule(
    "exchange.retrieve.equals_create",
    Level.MUST,
    "A retrieved response equals the one its create answered (or its stream's last event carried) on what is "
    "fixed at creation (id, model, previous_response_id, instructions, tools) and, once that answer is "
    "terminal, on status, output items and usage.",
    "openai-openapi.yaml getResponse; " + RECORDINGS + ": what may change is not compared. OpenAI adds "
    "billing ({\"payer\": \"developer\"}) to 539 of its 671 JSON Response bodies (terminal ones, since "
    "2025-09-18) but to none of its 214 stream terminal events, so a retrieve after a stream gains it "
    "(openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync); service_tier 'auto' becomes 'default' "
    "once the response runs (between response.created and the terminal event of 195 of 214 OpenAI and 50 of "
    "53 Azure streams; from a queued background create to its retrieve 3 times, in 2 pydantic-ai sessions); "
    "completed_at is null until the response completes, then set (371 completed OpenAI JSON bodies and 115 "
    "completed streams; 11 and 9 on Azure)",
)
def retrieve_equals_create(session: Session) -> list[Outcome]:
    rule = retrieve_equals_create.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        retrieved = exchange.response if exchange.kind == "retrieve" else None
        rid = exchange.target
        if retrieved is None or rid is None:
            continue
        created_at = session.creation(rid)
        created = session.exchanges[created_at].response if created_at is not None else None
        if created is None:
            out.append(Outcome(rule, place(i), missing=f"the create of {rid}"))
            continue
        finished = created.get("status") in TERMINAL_STATUSES  # a background create answers before it runs
        what = f"the create's answer (exchange {created_at})"
        found = _differences(rule, created, retrieved, FIXED + (FINISHED if finished else ()), i, what)
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


@exchange_rule(
    "exchange.delete.acknowledged",
    Level.MUST,
    "A successful delete answers a deletion object naming the deleted response with deleted: true.",
    "openai-openapi.yaml deleteResponse (ResponseDeleted: id, object 'response.deleted', deleted true)",
)
def delete_acknowledged(session: Session) -> list[Outcome]:
    rule = delete_acknowledged.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        if exchange.kind != "delete" or not exchange.ok:
            continue
        body = exchange.body if isinstance(exchange.body, dict) else {}
        found = []
        if body.get("id") != exchange.target:
            found.append(violation(rule, "the deletion names another response", i, "body", "id",
                                   expected=exchange.target, found=repr(body.get("id"))))
        if body.get("deleted") is not True:
            found.append(violation(rule, "the deletion does not say deleted: true", i, "body", "deleted",
                                   expected="true", found=repr(body.get("deleted"))))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


@exchange_rule(
    "exchange.delete.then_not_found",
    Level.MUST,
    "After a response is deleted, every request on its id (retrieve, stream, input_items, cancel, delete) "
    "answers 404 with an error envelope.",
    "openai-openapi.yaml deleteResponse / getResponse (404); " + RECORDINGS + ": "
    "azure-sdk-assets__ResponsesTests.CanDeleteResponse_gpt-4o-mini, "
    "openai-dotnet__ResponsesTests.CanDeleteResponse.vb3b4bbb",
)
def delete_then_not_found(session: Session) -> list[Outcome]:
    rule = delete_then_not_found.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.target
        if exchange.kind != "delete" or not exchange.ok or rid is None:
            continue
        after = later(session, i, rid)
        if not after:
            out.append(Outcome(rule, place(i), missing=f"a request on {rid} after its delete"))
            continue
        out.append(Outcome(rule, place(i), tuple(_gone(session, after, rule, "deleted"))))
    return out


def _gone(session: Session, indexes: list[int], rule: str, why: str) -> list[Violation]:
    found: list[Violation] = []
    for j in indexes:
        answer = session.exchanges[j]
        if answer.status != 404:
            found.append(violation(rule, f"a {answer.kind} of a {why} response did not answer 404", j, "status",
                                   expected="404", found=str(answer.status)))
        else:
            found += envelope(answer, j, session.profile, rule)
    return found


@exchange_rule(
    "exchange.store_false.not_retrievable",
    Level.MUST,
    "A foreground response created with store: false is not stored: every later request on its id answers 404 "
    "with an error envelope.",
    "openai-openapi.yaml CreateResponse.store; " + RECORDINGS + ": a background response whose answer says "
    "store: false is still retrieved while it runs and after (pydantic-ai__test_openai_responses."
    "test_background_mode_with_tool_vcr), so background responses are not judged",
)
def store_false_not_retrievable(session: Session) -> list[Outcome]:
    rule = store_false_not_retrievable.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.response_id
        if exchange.kind != "create" or rid is None or not _unstored(exchange):
            continue
        after = later(session, i, rid)
        if not after:
            out.append(Outcome(rule, place(i), missing=f"a request on {rid} after its create"))
            continue
        out.append(Outcome(rule, place(i), tuple(_gone(session, after, rule, "store: false"))))
    return out


@exchange_rule(
    "exchange.store_false.not_chainable",
    Level.MUST,
    "A create whose previous_response_id names a foreground response created with store: false is refused "
    "with a 4xx error.",
    "openai-openapi.yaml CreateResponse.previous_response_id (a stored response); Azure Responses how-to "
    "(stateless mode: pass the reasoning items back instead)",
)
def store_false_not_chainable(session: Session) -> list[Outcome]:
    rule = store_false_not_chainable.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.response_id
        if exchange.kind != "create" or rid is None or not _unstored(exchange):
            continue
        chained = [j for j, x in enumerate(session.exchanges) if j > i and x.kind == "create"
                   and isinstance(x.request, dict) and x.request.get("previous_response_id") == rid]
        if not chained:
            out.append(Outcome(rule, place(i), missing=f"a create chained on {rid}"))
            continue
        found = [violation(rule, "a create chained on a store: false response was not refused with a 4xx",
                           j, "status", expected="4xx", found=str(session.exchanges[j].status))
                 for j in chained if not session.exchanges[j].client_error]
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


@exchange_rule(
    "exchange.cancel.background_only",
    Level.MUST,
    "Only a background response can be cancelled: a successful cancel answers a background response, and the "
    "cancel of a response created in the foreground is refused with a 4xx error.",
    "openai-openapi.yaml cancelResponse ('Only responses created with the background parameter set to true "
    "can be cancelled'); " + AZURE_BACKGROUND + " ('to cancel a synchronous response, close the connection')",
)
def cancel_background_only(session: Session) -> list[Outcome]:
    rule = cancel_background_only.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.target
        if exchange.kind != "cancel" or rid is None:
            continue
        known = session.created_with(rid) is not None
        answered = (exchange.response or {}).get("background")
        background = _background(session, rid)
        if not known and not (exchange.ok and answered is not None):
            out.append(Outcome(rule, place(i), missing=f"the create of {rid}"))
            continue
        found: list[Violation] = []
        if exchange.ok and not background:
            found.append(violation(rule, "a foreground response was cancelled", i, "body", "background",
                                   expected="true", found=repr(answered)))
        elif not exchange.ok and not background and not exchange.client_error:
            found.append(violation(rule, "the cancel of a foreground response was not refused with a 4xx", i,
                                   "status", expected="4xx", found=str(exchange.status)))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


def _final_before(session: Session, index: int, response_id: str) -> tuple[int, dict[str, Any]] | None:
    """The last terminal Response the session showed for a response before ``index``, and where."""
    found = None
    for j in session.about(response_id):
        if j >= index:
            break
        for response in session.exchanges[j].responses:
            if response.get("status") in TERMINAL_STATUSES:
                found = (j, response)
    return found


@exchange_rule(
    "exchange.cancel.cancelled",
    Level.MUST,
    "A successful cancel answers the response with status cancelled, or with the terminal status it already "
    "had; never queued or in_progress.",
    "openai-openapi.yaml cancelResponse; " + AZURE_BACKGROUND + " ('later calls return the final response "
    "object'); " + RECORDINGS + ": both recorded cancels answer a queued response with status cancelled",
)
def cancel_cancelled(session: Session) -> list[Outcome]:
    rule = cancel_cancelled.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.target
        if exchange.kind != "cancel" or not exchange.ok or rid is None or exchange.response is None:
            continue
        status = exchange.response.get("status")
        final = _final_before(session, i, rid)
        before = final[1]["status"] if final is not None else None
        found = []
        if before is not None and status != before:
            found.append(violation(rule, f"the cancel of a response already {before} changed its status", i, "body",
                                   "status", expected=before, found=repr(status)))
        elif status not in TERMINAL_STATUSES:
            found.append(violation(rule, "the cancel answered a response that is still running", i, "body", "status",
                                   expected="cancelled", found=repr(status)))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


@exchange_rule(
    "exchange.cancel.idempotent",
    Level.MUST,
    "A second cancel of a response answers the final response it ended as (the first cancel's answer, or a "
    "later retrieve's once it finished): same id, model, status, output items and usage.",
    AZURE_BACKGROUND + " ('cancelling is idempotent: later calls return the final response object'); "
    "what may change between two answers is not compared (billing, service_tier, completed_at: see "
    "exchange.retrieve.equals_create)",
)
def cancel_idempotent(session: Session) -> list[Outcome]:
    rule = cancel_idempotent.id
    out: list[Outcome] = []
    first: dict[str, int] = {}
    repeated: set[str] = set()
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.target
        if exchange.kind != "cancel" or not exchange.ok or rid is None or exchange.response is None:
            continue
        if rid not in first:
            first[rid] = i
            continue
        repeated.add(rid)
        final = _final_before(session, i, rid)
        if final is None:
            out.append(Outcome(rule, place(i), missing=f"a final answer of {rid} before this cancel"))
            continue
        what = f"the final response (exchange {final[0]})"
        found = _differences(rule, final[1], exchange.response, FIXED + FINISHED, i, what)
        out.append(Outcome(rule, place(i), tuple(found)))
    out += [Outcome(rule, place(i), missing=f"a second cancel of {rid}") for rid, i in first.items()
            if rid not in repeated]
    return out


@exchange_rule(
    "exchange.background.status_flow",
    Level.MUST,
    "A background response's status moves from queued through in_progress to a terminal status, never back, "
    "and once terminal it keeps that status.",
    AZURE_BACKGROUND + " (poll while queued or in_progress); openai-openapi.yaml Response.status",
)
def background_status_flow(session: Session) -> list[Outcome]:
    rule = background_status_flow.id
    out: list[Outcome] = []
    for rid in session.response_ids():
        if not _background(session, rid):
            continue
        indexes = session.about(rid)
        seen: list[tuple[int, str, bool]] = []  # (exchange, status, in the order of time)
        for j in indexes:
            exchange = session.exchanges[j]
            replay = exchange.kind == "stream"  # a replay repeats the past: only its terminal status is news
            seen += [(j, r["status"], not replay) for r in exchange.responses
                     if r.get("status") in RANK and (not replay or r["status"] in TERMINAL_STATUSES)]
        if len(seen) < 2:
            out.append(Outcome(rule, place(indexes[0]), missing=f"a second observation of {rid}"))
            continue
        found: list[Violation] = []
        rank, terminal = -1, None
        for j, status, timed in seen:
            if terminal is not None and status != terminal and status in TERMINAL_STATUSES:
                found.append(violation(rule, f"the response left its terminal status {terminal}", j, "status",
                                       expected=terminal, found=status))
            elif timed and RANK[status] < rank:
                found.append(violation(rule, f"the status went back to {status}", j, "status",
                                       expected="queued -> in_progress -> a terminal status", found=status))
            if status in TERMINAL_STATUSES:
                terminal = terminal or status
            if timed:
                rank = max(rank, RANK[status])
        out.append(Outcome(rule, place(indexes[0]), tuple(found)))
    return out

