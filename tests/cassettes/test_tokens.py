"""The checks' random tokens: reproducible inside ``seeded`` (record and replay), fresh outside it."""

from __future__ import annotations

from conformance.checks import _tokens


def _draw() -> tuple[str, int]:
    return _tokens.token_hex(12), _tokens.randbelow(9000)


def test_the_same_seed_gives_the_same_tokens_and_another_seed_others() -> None:
    with _tokens.seeded("local/o4-mini@openai/chaining.context.carried"):
        first = _draw()
    with _tokens.seeded("local/o4-mini@openai/chaining.context.carried"):
        again = _draw()
    with _tokens.seeded("local/o4-mini@azure-v1/chaining.context.carried"):
        other = _draw()
    assert first == again != other and len(first[0]) == 24


def test_unseeded_tokens_are_fresh() -> None:
    assert _tokens.token_hex(16) != _tokens.token_hex(16)
