"""``store: false``: the response is answered, said to be unstored, and then nowhere to be found."""

from __future__ import annotations

from typing import Any

from conformance.checks._answers import refused
from conformance.checks._check import Tier, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._turns import answered, ask
from conformance.client import ResponsesClient
from conformance.matrix import Cell

STORED = ("openai", "azure")  # Open Responses has no retrieval: what "not stored" means is not observable


def _unstored(cell: Cell, client: ResponsesClient, judge: Judge) -> dict[str, Any]:
    return answered(client.create(ask(cell, "Say hello.", store=False)), judge, "create with store: false")


@check("store.false.echoed", spec="openai-openapi#createResponse", tier=Tier.smoke, requires=("text",))
def test_unstored_response_says_store_false(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A response created with store: false MUST say store: false."""
    response = _unstored(cell, client, judge)
    expect(response.get("store") is False, "the response does not echo store: false", expected=False,
           actual=response.get("store"))


@check("store.false.not_retrievable", owns=ENVELOPE, spec="openai-openapi#createResponse", requires=("text", "store"),
       profiles=STORED)
def test_unstored_response_is_not_retrievable(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A response created with store: false MUST NOT be retrievable: retrieving it answers 404."""
    response = _unstored(cell, client, judge)
    refused(client.retrieve(response["id"]), judge, "retrieve of a store: false response", statuses=(404,))


@check("store.false.not_chainable", owns=ENVELOPE, spec="openai-openapi#createResponse", requires=("text", "store"),
       profiles=STORED)
def test_unstored_response_cannot_be_chained(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A previous_response_id naming a store: false response MUST be refused with a 4xx error envelope."""
    response = _unstored(cell, client, judge)
    reply = client.create(ask(cell, "Say OK.", previous_response_id=response["id"]))
    refused(reply, judge, "chaining on a store: false response")


@check("store.background.requires_store", owns=ENVELOPE, spec="azure-howto#background", requires=("text", "background"),
       profiles=STORED)
def test_background_without_store_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A background request with store: false MUST be refused with 400 and an error envelope."""
    reply = client.create(ask(cell, "Say hello.", background=True, store=False))
    refused(reply, judge, "background with store: false", statuses=(400,))
