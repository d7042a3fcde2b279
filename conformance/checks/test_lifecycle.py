"""Lifecycle of a stored response: create, retrieve, delete, and the list of its input items."""

from __future__ import annotations

from typing import Any

from conformance.checks._answers import refused
from conformance.checks._check import Tier, check, expect
from conformance.checks._judge import ENVELOPE, RESPONSE, Judge
from conformance.checks._turns import TERMINAL, answered, ask, item_text
from conformance.client import ApiResponse, ResponsesClient
from conformance.matrix import Cell

STORED = ("openai", "azure")  # Open Responses defines POST /responses only: nothing to retrieve or delete
NOTES = ("First note: apples.", "Second note: pears.", "Third note: plums.", "Say OK.")


def _created(cell: Cell, client: ResponsesClient, judge: Judge, prompt: Any = "Say hello.") -> dict[str, Any]:
    return answered(client.create(ask(cell, prompt)), judge, "create")


def _listed(reply: ApiResponse, judge: Judge, what: str) -> dict[str, Any]:
    expect(reply.status_code == 200, f"{what}: input_items did not answer 200", expected=200, actual=reply.status_code)
    listed: dict[str, Any] = judge.object(reply.body, "input_item_list", f"{what}: the list does not conform")
    return listed


def _deleted(reply: ApiResponse, judge: Judge, what: str) -> dict[str, Any]:
    expect(reply.status_code == 200, f"{what} did not answer 200", expected=200, actual=reply.status_code)
    deletion: dict[str, Any] = judge.object(reply.body, "deletion", f"{what}: the deletion object does not conform")
    return deletion


def _noted(cell: Cell, client: ResponsesClient, judge: Judge) -> dict[str, Any]:
    """A response whose input is the four NOTES messages, in that order."""
    return _created(cell, client, judge, [{"role": "user", "content": note} for note in NOTES])


def _ids(listed: dict[str, Any]) -> list[Any]:
    return [item.get("id") for item in listed["data"]]


@check("lifecycle.create.returns_response", owns=RESPONSE, spec="openai-openapi#createResponse", tier=Tier.smoke,
       requires=("text",))
def test_create_returns_a_finished_response(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A create request MUST answer 200 with a conforming Response object in a terminal status."""
    response = _created(cell, client, judge)
    expect(response["object"] == "response", "the object is not a response", expected="response",
           actual=response["object"])
    expect(response["status"] in TERMINAL, "a synchronous create answered a response that has not finished",
           expected=" or ".join(TERMINAL), actual=response["status"])


@check("lifecycle.retrieve.equals_create", spec="openai-openapi#getResponse", tier=Tier.smoke,
       requires=("text", "store"), profiles=STORED)
def test_retrieve_returns_what_create_returned(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Retrieving a stored response MUST return the same response the create request returned."""
    created = _created(cell, client, judge)
    reply = client.retrieve(created["id"])
    retrieved = answered(reply, judge, "retrieve")
    before, after = _essence(created), _essence(retrieved)
    changed = sorted(k for k in before if before[k] != after[k])
    expect(not changed, f"the retrieved response differs from the created one in {', '.join(changed)}",
           expected={k: before[k] for k in changed}, actual={k: after[k] for k in changed})


def _essence(response: dict[str, Any]) -> dict[str, Any]:
    """What must not change between create and retrieve: identity, status, output items and usage."""
    keys = ("id", "object", "created_at", "status", "model", "previous_response_id", "usage")
    return {
        **{k: response.get(k) for k in keys},
        "output": [
            {"id": item.get("id"), "type": item.get("type"), "status": item.get("status"),
             "text": item_text(item) if item.get("type") == "message" else item.get("arguments")}
            for item in response.get("output") or []
            if isinstance(item, dict)
        ],
    }


@check("lifecycle.delete.acknowledged", owns=("deletion:schema.*",), spec="openai-openapi#deleteResponse", requires=("text", "store"),
       profiles=STORED)
def test_delete_answers_a_deletion_object(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Deleting a stored response MUST answer 200 with a deletion object naming that response."""
    created = _created(cell, client, judge)
    deletion = _deleted(client.delete(created["id"]), judge, "delete")
    expect(deletion["id"] == created["id"], "the deletion names another response", expected=created["id"],
           actual=deletion["id"])


@check("lifecycle.delete.then_not_found", owns=ENVELOPE, spec="openai-openapi#deleteResponse", requires=("text", "store"),
       profiles=STORED)
def test_deleted_response_is_not_found(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """After a response is deleted, retrieving it MUST answer 404 with an error envelope."""
    created = _created(cell, client, judge)
    _deleted(client.delete(created["id"]), judge, "delete")
    refused(client.retrieve(created["id"]), judge, "retrieve after delete", statuses=(404,))


@check("lifecycle.delete.twice_not_found", owns=ENVELOPE, spec="openai-openapi#deleteResponse", requires=("text", "store"),
       profiles=STORED)
def test_second_delete_is_not_found(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Deleting a response that is already deleted MUST answer 404 with an error envelope."""
    created = _created(cell, client, judge)
    _deleted(client.delete(created["id"]), judge, "first delete")
    refused(client.delete(created["id"]), judge, "second delete", statuses=(404,))


@check("lifecycle.input_items.list_fields", owns=("input_item_list:schema.*",), spec="openai-openapi#listInputItems", requires=("text", "store"),
       profiles=STORED)
def test_input_items_first_and_last_ids_match_the_page(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The input_items list MUST name the ids of its first and last items as first_id and last_id."""
    created = _noted(cell, client, judge)
    listed = _listed(client.input_items(created["id"]), judge, "input_items")
    ids = _ids(listed)
    expect(len(ids) == len(NOTES), "the list does not hold every input item", expected=len(NOTES), actual=len(ids))
    expect((listed["first_id"], listed["last_id"]) == (ids[0], ids[-1]),
           "first_id and last_id are not the ids of the first and last items",
           expected=(ids[0], ids[-1]), actual=(listed["first_id"], listed["last_id"]))


@check("lifecycle.input_items.has_more", spec="openai-openapi#listInputItems", requires=("text", "store"),
       profiles=STORED)
def test_input_items_has_more_tells_whether_items_remain(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A page of input_items MUST say has_more: true when items remain after it and false on the last page."""
    created = _noted(cell, client, judge)
    first = _listed(client.input_items(created["id"], limit=len(NOTES) - 1), judge, "first page")
    expect(len(first["data"]) == len(NOTES) - 1, "the page does not hold limit items", expected=len(NOTES) - 1,
           actual=len(first["data"]))
    expect(first["has_more"] is True, "a page with an item after it says has_more: false", expected=True,
           actual=first["has_more"])
    whole = _listed(client.input_items(created["id"], limit=len(NOTES)), judge, "whole list")
    expect(whole["has_more"] is False, "a page holding the last item says has_more: true", expected=False,
           actual=whole["has_more"])


@check("lifecycle.input_items.after_cursor", spec="openai-openapi#listInputItems", requires=("text", "store"),
       profiles=STORED)
def test_input_items_after_continues_the_list(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Paging input_items with after=<last_id> MUST continue the list with no item repeated or skipped."""
    created = _noted(cell, client, judge)
    whole = _ids(_listed(client.input_items(created["id"], limit=len(NOTES)), judge, "whole list"))
    first = _listed(client.input_items(created["id"], limit=2), judge, "first page")
    rest = _listed(client.input_items(created["id"], limit=len(NOTES), after=first["last_id"]), judge, "next page")
    expect(_ids(first) + _ids(rest) == whole, "the pages do not add up to the whole list", expected=whole,
           actual=_ids(first) + _ids(rest))


@check("lifecycle.input_items.order", spec="openai-openapi#listInputItems", requires=("text", "store"),
       profiles=STORED)
def test_input_items_order_asc_is_request_order(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """input_items with order=asc MUST list the input in request order, and order=desc in reverse."""
    created = _noted(cell, client, judge)
    asc = _listed(client.input_items(created["id"], order="asc"), judge, "order=asc")
    desc = _listed(client.input_items(created["id"], order="desc"), judge, "order=desc")
    expect([item_text(x) for x in asc["data"]] == list(NOTES), "order=asc is not the request order",
           expected=list(NOTES), actual=[item_text(x) for x in asc["data"]])
    expect(_ids(desc) == _ids(asc)[::-1], "order=desc is not the reverse of order=asc", expected=_ids(asc)[::-1],
           actual=_ids(desc))
