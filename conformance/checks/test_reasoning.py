"""Encrypted reasoning: with store false, reasoning items come back encrypted and can be passed back, intact only."""

from __future__ import annotations

from typing import Any

from conformance.checks._answers import accepted, answered, items, output_types, refused, room, text, user
from conformance.checks._check import check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.client import ResponsesClient
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml ReasoningItem (encrypted_content), createResponse include[reasoning.encrypted_content]"
AZURE = "Azure Responses how-to: encrypted reasoning items (store false, include reasoning.encrypted_content)"
NEEDS = ("reasoning", "encrypted_reasoning")
INCLUDE = ["reasoning.encrypted_content"]
FIRST = "What is 2 + 3? Answer with the number only."
SECOND = "Now add 4 to that result. Answer with the number only."


def _stateless(cell: Cell, input_: list[dict[str, Any]]) -> dict[str, Any]:
    return {"input": input_, "store": False, "include": INCLUDE, **room(cell, 32)}


def _first_turn(cell: Cell, client: ResponsesClient, judge: Judge) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first stateless turn: its input and its response, which holds encrypted reasoning items."""
    opening = [user(text(FIRST))]
    response = accepted(client.create(_stateless(cell, opening)), judge, "a stateless request including encrypted reasoning")
    reasoning = items(response, "reasoning")
    expect(bool(reasoning), "a reasoning model returned no reasoning item", expected="a reasoning item",
           actual=output_types(response))
    for item in reasoning:
        content = item.get("encrypted_content")
        expect(isinstance(content, str) and bool(content), "a reasoning item has no encrypted_content",
               expected="a non-empty encrypted_content string", actual=f"{item.get('id')}: {content!r}")
    return opening, response


@check("reasoning.encrypted.returned", spec=SPEC + "; " + AZURE, requires=NEEDS)
def test_stateless_reasoning_items_carry_encrypted_content(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """With store false and include reasoning.encrypted_content, every reasoning item MUST carry encrypted_content."""
    _first_turn(cell, client, judge)


@check("reasoning.encrypted.round_trip", spec=SPEC + "; " + AZURE, requires=NEEDS)
def test_encrypted_reasoning_items_can_be_passed_back(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The returned items, encrypted reasoning included, passed back as input with store false MUST be accepted."""
    opening, first = _first_turn(cell, client, judge)
    follow_up = [*opening, *first["output"], user(text(SECOND))]
    answered(client.create(_stateless(cell, follow_up)), judge, "the earlier items with encrypted reasoning passed back")


def _tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


@check("reasoning.encrypted.tampered_refused", owns=ENVELOPE, spec=SPEC + "; " + AZURE, requires=NEEDS)
def test_tampered_encrypted_content_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A reasoning item whose encrypted_content was altered MUST be refused with a 4xx error."""
    opening, first = _first_turn(cell, client, judge)
    altered = [
        {**item, "encrypted_content": _tampered(item["encrypted_content"])} if item.get("type") == "reasoning" else item
        for item in first["output"]
    ]
    follow_up = [*opening, *altered, user(text(SECOND))]
    refused(client.create(_stateless(cell, follow_up)), judge, "a reasoning item with altered encrypted_content")
