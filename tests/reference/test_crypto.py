"""Encrypted reasoning content: sealed with a server key, any change detected."""

from __future__ import annotations

import pytest

from conformance.reference.crypto import InvalidEncryptedContent, ReasoningSealer

PAYLOAD = {"id": "rs_1", "summary": ["thought about it"], "n": 3, "text": "ünïcødé \u2028"}


def _flip(token: str, index: int) -> str:
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1 :]


def test_a_sealed_payload_round_trips():
    sealer = ReasoningSealer.from_secret("server secret")
    token = sealer.seal(PAYLOAD)
    assert sealer.unseal(token) == PAYLOAD
    assert ReasoningSealer.from_secret("server secret").unseal(token) == PAYLOAD


def test_tokens_are_url_safe_text_and_fresh_each_time():
    sealer = ReasoningSealer(bytes(32))
    first, second = sealer.seal(PAYLOAD), sealer.seal(PAYLOAD)
    assert first != second
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("index", [0, 1, 5, 20, -2, -1])
def test_changing_any_one_character_is_detected(index):
    sealer = ReasoningSealer.from_secret("server secret")
    token = sealer.seal(PAYLOAD)
    with pytest.raises(InvalidEncryptedContent):
        sealer.unseal(_flip(token, index))


def test_changing_every_character_in_turn_is_detected():
    sealer = ReasoningSealer.from_secret("server secret")
    token = sealer.seal({"a": 1})
    for index in range(len(token)):
        with pytest.raises(InvalidEncryptedContent):
            sealer.unseal(_flip(token, index))


def test_a_token_from_another_key_is_refused():
    token = ReasoningSealer.from_secret("one").seal(PAYLOAD)
    with pytest.raises(InvalidEncryptedContent, match="another key"):
        ReasoningSealer.from_secret("two").unseal(token)


@pytest.mark.parametrize("token", ["", "garbage", "!!!!", "é", "AQ", "A" * 64])
def test_garbage_is_refused(token):
    with pytest.raises(InvalidEncryptedContent):
        ReasoningSealer(bytes(32)).unseal(token)


def test_a_truncated_token_is_refused():
    sealer = ReasoningSealer(bytes(32))
    token = sealer.seal(PAYLOAD)
    for cut in (1, 4, len(token) // 2):
        with pytest.raises(InvalidEncryptedContent):
            sealer.unseal(token[:-cut])


def test_a_key_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        ReasoningSealer(b"short")
