"""Bounded retries of 429 and 503 answers, honouring ``Retry-After`` and ``retry-after-ms``; every attempt kept.

A ``CoolDown`` is shared by every request of a policy (a cell's client and its per-check views): when one
request is told to wait, the others wait out the same time before they send.
"""

from __future__ import annotations

import datetime
import email.utils
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Attempt:
    """One answer: its status and the seconds waited before the next attempt (None for the last one)."""

    status: int
    wait_s: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "wait_s": self.wait_s}


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asks to wait: ``retry-after-ms``, else ``Retry-After`` (seconds or HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are UTC
        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - now)


class CoolDown:
    """A pause shared by concurrent requests: ``hold(s)`` pauses them all for ``s`` seconds from now."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0
        self._lock = threading.Lock()

    def hold(self, seconds: float) -> float:
        """Pause every request for ``seconds`` from now (a longer pause already running stays); its end."""
        with self._lock:
            self._until = max(self._until, self._clock() + seconds)
            return self._until

    def remaining(self, slept_until: float = 0.0) -> float:
        """Seconds of pause left for a caller that already slept until ``slept_until`` (clock time)."""
        with self._lock:
            return self._until - max(self._clock(), slept_until)

    def wait(self, sleep: Callable[[float], None], slept_until: float = 0.0) -> float:
        """Sleep out the pause (a pause held meanwhile is waited out too); the seconds slept."""
        slept = 0.0
        while (left := self.remaining(slept_until)) > 0:
            slept_until = max(self._clock(), slept_until) + left
            sleep(left)
            slept += left
        return slept


class RetryPolicy:
    """Retry ``statuses`` (429, 503) up to ``max_attempts`` in all; other 5xx are findings, never retried.

    Without a ``Retry-After`` the wait doubles from ``backoff``; a server asking longer than ``max_wait``
    ends the retries (its answer is kept as the last one). A ``Retry-After`` (at most ``max_wait``) also
    holds the policy's ``cooldown``: every request through this policy waits it out before sending.
    """

    def __init__(
        self,
        max_attempts: int = 3,
        statuses: Iterable[int] = (429, 503),
        max_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        *,
        backoff: float = 1.0,
        clock: Callable[[], float] = time.time,
        cooldown: CoolDown | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.max_attempts = max_attempts
        self.statuses = frozenset(statuses)
        self.max_wait = max_wait
        self.sleep = sleep
        self.backoff = backoff
        self.clock = clock
        self.cooldown = cooldown if cooldown is not None else CoolDown()

    def delay(self, status: int, headers: Mapping[str, str], attempt: int) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None when this answer is the final one."""
        if status not in self.statuses or attempt >= self.max_attempts:
            return None
        asked = retry_after(headers, self.clock())
        if asked is None:
            return float(min(self.backoff * 2.0 ** (attempt - 1), self.max_wait))
        return float(asked) if asked <= self.max_wait else None

    def call(self, send: Callable[[], httpx.Response], attempts: list[Attempt]) -> httpx.Response:
        """Send until an answer is final, appending every attempt to ``attempts``; the final response.

        Each attempt first waits out the shared cool-down (what this request slept itself counts).
        """
        slept_until = 0.0
        while True:
            self.cooldown.wait(self.sleep, slept_until)
            response = send()
            wait = self.delay(response.status_code, response.headers, len(attempts) + 1)
            attempts.append(Attempt(response.status_code, wait))
            asked = retry_after(response.headers, self.clock()) if response.status_code in self.statuses else None
            if asked is not None:  # the server told this cell to wait: every request of it waits
                slept_until = self.cooldown.hold(min(asked, self.max_wait))
            if wait is None:
                return response
            response.close()
            self.sleep(wait)

    def __repr__(self) -> str:
        return f"RetryPolicy(max_attempts={self.max_attempts}, statuses={sorted(self.statuses)}, max_wait={self.max_wait})"
