"""Chaining: previous_response_id (echo, context, input items, unknown ids, read-after-write) and manual chaining."""

from __future__ import annotations

from typing import Any

from conformance.checks._answers import output_text, probe, refused
from conformance.checks._check import ContractViolation, Tier, check, expect
from conformance.checks._exchanges import expect_rules, sent
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._turns import answered, ask, code_word, unknown_id
from conformance.client import EventStream, ResponsesClient
from conformance.contract.rules import Level
from conformance.matrix import Cell

QUESTION = "What is the code word?"
RECALL = "What is the code word? Reply with the code word only."
READ_AFTER_WRITE_TRIES = 5
_TERMINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")


def _remember(word: str) -> str:
    return f"Remember: the code word is {word}."


def _parent(cell: Cell, client: ResponsesClient, judge: Judge, word: str) -> dict[str, Any]:
    return answered(client.create(ask(cell, _remember(word))), judge, "parent")


def _child(cell: Cell, client: ResponsesClient, judge: Judge, parent: dict[str, Any]) -> dict[str, Any]:
    body = ask(cell, QUESTION, previous_response_id=parent["id"])
    return answered(client.create(body), judge, "chained request")


@check("chaining.previous_response_id.echoed", spec="openai-openapi#createResponse", tier=Tier.smoke,
       requires=("text", "store"))
def test_chained_response_echoes_previous_response_id(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A response created with previous_response_id MUST echo that id."""
    parent = _parent(cell, client, judge, code_word())
    child = _child(cell, client, judge, parent)
    expect(child.get("previous_response_id") == parent["id"], "previous_response_id is not echoed",
           expected=parent["id"], actual=child.get("previous_response_id"))


@check("chaining.context.carried", spec="azure-howto#chaining; openresponses#previous_response_id; DESIGN: a "
       "feature-defining probe is MUST with a stated number of attempts", requires=("text", "store"))
def test_chained_answer_knows_the_code_word(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A chained response MUST know what the earlier turn said (its answer names the earlier turn's code word).

    The code word is fresh, so only the earlier turn can supply it. A real model gets PROBE_ATTEMPTS (3) chained
    requests on the same parent; one answer naming the word passes (case, spacing and punctuation aside), and a
    failure lists every attempt's answer.
    """
    word = code_word()
    parent = _parent(cell, client, judge, word)

    def ask_again(attempt: int) -> str:
        child = answered(client.create(ask(cell, RECALL, previous_response_id=parent["id"])), judge,
                         f"chained request #{attempt}")
        return output_text(child) or str(child.get("status"))

    probe(word, ask_again, "the chained answer does not know the code word of the earlier turn")


FULL_CONTEXT = ("exchange.input_items.own_input", "exchange.input_items.full_context")


@check("chaining.input_items.full_context", spec="openai-openapi#listInputItems; the exchange rules "
       + " and ".join(FULL_CONTEXT), level=Level.SHOULD, requires=("text", "store"),
       profiles=("openai", "azure"), since="0.2.0")
def test_chained_input_items_list_the_conversation(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The input_items of a chained response SHOULD list its own input, then the earlier turns, newest first.

    Real OpenAI lists the whole conversation: the new input, the previous response's output, its input, and so
    on back (it replaces chaining.input_items.only_new_input, retired: its sentence proved false).
    """
    parent_body = ask(cell, _remember(code_word()))
    parent_reply = client.create(parent_body)
    parent = answered(parent_reply, judge, "parent")
    child_body = ask(cell, QUESTION, previous_response_id=parent["id"])
    child_reply = client.create(child_body)
    child = answered(child_reply, judge, "chained request")
    listing = client.input_items(child["id"])
    expect(listing.status_code == 200, "input_items did not answer 200", expected=200,
           actual=listing.status_code)
    judge.object(listing.body, "input_item_list", "the input item list does not conform")
    seen = [sent("POST", "/responses", parent_reply, parent_body),
            sent("POST", "/responses", child_reply, child_body),
            sent("GET", f"/responses/{child['id']}/input_items", listing)]
    expect_rules("the input items of the chained response are not its conversation, newest first",
                 judge.profile, seen, *FULL_CONTEXT)


@check("chaining.manual.replayed_output", spec="azure-howto#chaining", requires=("text",))
def test_replayed_output_items_are_accepted(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A request whose input replays an earlier response's output items MUST be answered like any other."""
    first_turn = {"role": "user", "content": _remember(code_word())}
    parent = answered(client.create(ask(cell, [first_turn])), judge, "first turn")
    replay = [first_turn, *parent["output"], {"role": "user", "content": QUESTION}]
    answered(client.create(ask(cell, replay)), judge, "request replaying the output items")


@check("chaining.previous_response_id.unknown", owns=ENVELOPE, spec="openai-openapi#createResponse", requires=("text",))
def test_unknown_previous_response_id_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A previous_response_id that names no response MUST be refused with a 4xx error envelope."""
    reply = client.create(ask(cell, QUESTION, previous_response_id=unknown_id()))
    refused(reply, judge, "an unknown previous_response_id")


@check("chaining.read_after_write.streamed_parent", spec="openai-openapi#createResponse",
       requires=("text", "store", "streaming"))
def test_chaining_right_after_a_streamed_parent_succeeds(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Chaining on a streamed response right after its terminal event MUST succeed, every time."""
    failures = []
    for attempt in range(1, READ_AFTER_WRITE_TRIES + 1):
        with client.stream(ask(cell, _remember(code_word()))) as stream:
            parent = _read_to_terminal(stream, judge)
            reply = client.create(ask(cell, QUESTION, previous_response_id=parent))
            stream.read_all()
        judge.stream(stream.events, "the streamed parent does not conform")
        if reply.status_code == 200:
            judge.response(reply.body, "the chained response does not conform")
        else:
            failures.append(f"#{attempt}: {reply.status_code}")
    rate = f"{len(failures)} of {READ_AFTER_WRITE_TRIES} chained requests failed"
    expect(not failures, f"chaining right after a streamed parent is not reliable: {rate}",
           expected=f"0 of {READ_AFTER_WRITE_TRIES} failed", actual=f"{rate} ({', '.join(failures)})")


def _read_to_terminal(stream: EventStream, judge: Judge) -> str:
    """Read a stream up to its terminal event (not a moment longer); the id of its response."""
    if not stream.ok:
        raise ContractViolation("the streamed parent was not answered with an event stream",
                                expected="200 text/event-stream", actual=stream.status_code)
    for _ in stream:
        data = stream.payloads[-1]
        if isinstance(data, dict) and data.get("type") in _TERMINAL_EVENTS:
            response = data.get("response")
            rid = response.get("id") if isinstance(response, dict) else None
            if not isinstance(rid, str):
                raise ContractViolation("the terminal event carries no response id", expected="a response id",
                                        actual=rid)
            return rid
    judge.stream(stream.events, "the streamed parent does not conform")
    raise ContractViolation("the streamed parent ended without a terminal event", expected=" or ".join(_TERMINAL_EVENTS))
