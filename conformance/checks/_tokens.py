"""Random tokens for checks: fresh by default, reproducible inside ``seeded()`` (record and replay)."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_SEEDED: ContextVar[random.Random | None] = ContextVar("seeded_tokens", default=None)


@contextmanager
def seeded(seed: str) -> Iterator[None]:
    """Within this block (on this thread), tokens come from a generator seeded with ``seed``."""
    reset = _SEEDED.set(random.Random(seed))
    try:
        yield
    finally:
        _SEEDED.reset(reset)


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as hex (reproducible when seeded)."""
    rng = _SEEDED.get()
    return secrets.token_hex(nbytes) if rng is None else rng.randbytes(nbytes).hex()


def randbelow(n: int) -> int:
    """A random int in [0, n) (reproducible when seeded)."""
    rng = _SEEDED.get()
    return secrets.randbelow(n) if rng is None else rng.randrange(n)
