"""Encrypted reasoning: with store false, reasoning items come back encrypted and can be passed back, intact only."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import Any

from conformance.checks._answers import (
    PROBE_ATTEMPTS,
    accepted,
    answered,
    items,
    mentions,
    output_text,
    output_types,
    probe,
    refused,
    room,
    text,
    user,
)
from conformance.checks._check import ContractViolation, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._turns import code_word
from conformance.client import ResponsesClient
from conformance.contract.rules import Level
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml ReasoningItem (encrypted_content), createResponse include[reasoning.encrypted_content]"
AZURE = "Azure Responses how-to: encrypted reasoning items (store false, include reasoning.encrypted_content)"
NEEDS = ("reasoning", "encrypted_reasoning")
INCLUDE = ["reasoning.encrypted_content"]
FIRST = "What is 2 + 3? Answer with the number only."
SECOND = "Now add 4 to that result. Answer with the number only."
TAMPERED = ("OpenAI and Azure refuse it with 400 invalid_request_error, code invalid_encrypted_content, message "
            "'The encrypted content gAAA...DQ== could not be verified.' (openai/codex#8128, #8145; Azure: "
            "openai/codex#11653, openai/openai-agents-python#2063 where api-version 2025-03-01-preview had code null)")
OPAQUE = ("recordings: 248 OpenAI/Azure encrypted_content values are Fernet tokens (url-safe base64, 'gAAAAA', "
          "440-16376 characters), all distinct, none holding its summary in clear")


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


@check("reasoning.encrypted.tampered_refused", owns=ENVELOPE, spec=SPEC + "; " + AZURE + "; " + TAMPERED, requires=NEEDS)
def test_tampered_encrypted_content_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A reasoning item whose encrypted_content was altered MUST be refused with a 400 error envelope.

    The code is not required: OpenAI says invalid_encrypted_content, Azure said null on an older api-version.
    """
    opening, first = _first_turn(cell, client, judge)
    altered = [
        {**item, "encrypted_content": _tampered(item["encrypted_content"])} if item.get("type") == "reasoning" else item
        for item in first["output"]
    ]
    follow_up = [*opening, *altered, user(text(SECOND))]
    refused(client.create(_stateless(cell, follow_up)), judge, "a reasoning item with altered encrypted_content",
            statuses=(400,))


@check("reasoning.encrypted.opaque", spec=SPEC + "; " + OPAQUE, requires=NEEDS, since="0.2.0")
def test_encrypted_content_is_opaque(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """encrypted_content MUST be opaque: neither the prompt's code word, the answer nor the summary in clear or in
    base64 (or base64 of zlib), and different in two responses to the same request."""
    word = code_word()
    body = _stateless(cell, [user(text(f"Remember: the code word is {word}. What is the code word? "
                                      "Reply with the code word only."))])
    tokens: list[list[str]] = []
    for turn in ("first", "second"):
        response = accepted(client.create(body), judge, f"the {turn} of two identical stateless requests")
        sealed = [str(x.get("encrypted_content") or "") for x in items(response, "reasoning")]
        expect(any(sealed), f"the {turn} response has no encrypted reasoning", expected="a reasoning item with "
               "encrypted_content", actual=output_types(response))
        answer = output_text(response).strip()
        secrets = [word, *([answer] if len(answer) >= 8 else [])]
        secrets += [str(s.get("text")) for x in items(response, "reasoning") for s in x.get("summary") or []
                    if isinstance(s, dict) and len(str(s.get("text") or "")) >= 8]
        for token in filter(None, sealed):
            leaked = next((s for s in secrets if _exposes(token, s)), None)
            expect(leaked is None, "encrypted_content exposes what it should hide", expected="an opaque token",
                   actual=f"{leaked!r} readable in {token[:60]}...")
        tokens.append(sealed)
    again = set(tokens[0]) & set(tokens[1]) - {""}
    expect(not again, "two responses to the same request carry the same encrypted_content",
           expected="a fresh token per response (Fernet: new timestamp and IV)", actual=f"{min(again, default='')[:60]}...")


def _exposes(token: str, secret: str) -> bool:
    """Whether ``secret`` can be read from ``token``: in clear, or in its base64 (any alphabet, offset, zlib)."""
    needle = secret.casefold()
    if needle in token.casefold():
        return True
    for data in _decodings(token):
        for plain in (data, _inflated(data)):
            if needle in plain.decode("utf-8", "replace").casefold():
                return True
    return False


def _decodings(token: str) -> list[bytes]:
    """The token's bytes read as base64 from each of its first characters (a prefix such as ``enc_`` is skipped)."""
    found = []
    core = re.sub(r"[^A-Za-z0-9+/_-]", "", token)
    for shift in range(PREFIX_CHARS):
        chunk = core[shift:]
        chunk = chunk[: len(chunk) - len(chunk) % 4]
        try:
            found.append(base64.b64decode(chunk.replace("-", "+").replace("_", "/"), validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def _inflated(data: bytes) -> bytes:
    for wbits in (zlib.MAX_WBITS, zlib.MAX_WBITS | 16, -zlib.MAX_WBITS):  # zlib, gzip, raw deflate
        try:
            return zlib.decompressobj(wbits).decompress(data, 1 << 20)
        except zlib.error:
            continue
    return b""


PREFIX_CHARS = 12

READY = {"type": "function", "name": "ready", "description": "Call this once you have the code word in mind.",
         "parameters": {"type": "object", "properties": {}, "required": [], "additionalProperties": False},
         "strict": True}
THINK = ("{word}. Keep it in mind: spell it out to yourself letter by letter in your reasoning, never write it in a "
         "reply or in a function's arguments, and call the function ready.")
ASKED = "Ready. What is the code word? Reply with the code word only."


@check("reasoning.encrypted.reaches_model", spec=SPEC + "; OpenAI reasoning guide: pass reasoning items back with "
       "function call outputs so the model continues its reasoning", level=Level.SHOULD, requires=(*NEEDS, "function_calling"),
       since="0.2.0")
def test_passed_back_reasoning_reaches_the_model(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Encrypted reasoning passed back with store false SHOULD reach the model: a code word only it carries is known.

    Turn 1 gives a fresh code word and forces a call of ``ready``; turn 2 sends its output items (reasoning and
    call) after the first message with the word removed, and the call's output asks for the word, so only the
    decrypted reasoning can supply it. A control turn without the reasoning items must not name it. SHOULD: the
    reasoning is hidden, so a real model that never thought the word cannot be told from a server that dropped
    the item, and models are known to ignore earlier reasoning (community.openai.com/t/1355946). Each of
    PROBE_ATTEMPTS (3) attempts is a new turn 1; one answer naming the word passes; a failure lists every answer.
    """
    word = code_word()
    said = user(text(THINK.format(word=f"The code word is {word}")))
    hidden = user(text(THINK.format(word="A code word was given here")))

    def turn_two(attempt: int) -> str:
        first = accepted(client.create(_ready(cell, [said], {"type": "function", "name": "ready"})), judge,
                         f"turn 1 forcing a call of ready (attempt {attempt})")
        calls = items(first, "function_call")
        expect(bool(calls) and bool(items(first, "reasoning")), "turn 1 did not reason and call ready",
               expected="a reasoning item and a function_call", actual=output_types(first))
        outputs = [{"type": "function_call_output", "call_id": c.get("call_id"), "output": ASKED} for c in calls]
        carried = [x for x in first["output"] if x.get("type") in ("reasoning", "function_call")]
        second = answered(client.create(_ready(cell, [hidden, *carried, *outputs], "none")), judge,
                          f"turn 2 with the encrypted reasoning passed back (attempt {attempt})")
        answer = output_text(second)
        if mentions(answer, word):
            _control(cell, client, judge, word, [hidden, *[x for x in carried if x.get("type") != "reasoning"], *outputs])
        return answer or str(second.get("status"))

    probe(word, turn_two, "the passed-back reasoning did not reach the model", PROBE_ATTEMPTS)


def _ready(cell: Cell, input_: list[dict[str, Any]], choice: Any) -> dict[str, Any]:
    return {**_stateless(cell, input_), "tools": [READY], "tool_choice": choice}


def _control(cell: Cell, client: ResponsesClient, judge: Judge, word: str, input_: list[dict[str, Any]]) -> None:
    """Without the reasoning items the word is unknown, or it reached the model another way and proves nothing."""
    control = answered(client.create(_ready(cell, input_, "none")), judge, "the control turn without reasoning")
    if mentions(output_text(control), word):
        raise ContractViolation("the code word is known even without the reasoning item (the server keeps state "
                                "of a store-false request)", expected=f"a control answer without {word}",
                                actual=output_text(control)[:200])
