"""Switchable resilience faults (latency, 429, 503, dropped streams, idle keepalives): no contract violations.

A spec is ``kind=first[,option...]``; options are written ``name:value`` or ``name=value``::

    latency=200ms            latency=0.2,every:3       latency=1s,rate:0.5
    rate-limit=0.3           rate-limit=every:3,retry-after=1
    server-error=0.1         server-error=every:4
    drop-stream=0.5          drop-stream=every:2,after:5
    keepalive=1              keepalive=every:2

A rate is the chance per request (a seeded ``random.Random``); ``every:N`` fires on the Nth, 2Nth, ...
request the fault sees. ``keepalive`` is not an error: a streamed background response it picks sends a
numbered ``keepalive`` event every ``keepalive_interval`` seconds while it waits (idle time), as OpenAI and
Azure do on long streams. Faults apply only to paths with a ``responses`` or ``files`` segment.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.reference.errors import ApiError

FaultKind = Literal["latency", "rate-limit", "server-error", "drop-stream", "keepalive"]
_KINDS: tuple[FaultKind, ...] = ("latency", "rate-limit", "server-error", "drop-stream", "keepalive")
_OPTIONS: dict[FaultKind, frozenset[str]] = {
    "latency": frozenset({"rate", "every"}),
    "rate-limit": frozenset({"rate", "every", "retry-after"}),
    "server-error": frozenset({"rate", "every"}),
    "drop-stream": frozenset({"rate", "every", "after"}),
    "keepalive": frozenset({"rate", "every"}),
}
_TARGETED = frozenset({"responses", "files"})


@dataclass(frozen=True)
class Fault:
    """One fault and the requests it hits: each with chance ``rate``, or every ``every``-th one."""

    kind: FaultKind
    rate: float = 1.0
    every: int | None = None
    seconds: float = 0.0
    retry_after: int = 1
    after_events: int = 2


class StreamDropped(Exception):
    """Raised out of the app after a drop-stream fault; a server then closes the connection mid-body."""


def parse_fault(spec: str) -> Fault:
    """Parse a ``--fault`` spec; ValueError with a one-line message if it is malformed."""
    name, equals, rest = spec.strip().partition("=")
    kind = next((known for known in _KINDS if known == name), None)
    if kind is None or not equals or not rest:
        raise ValueError(f"bad fault {spec!r}: expected KIND=VALUE with KIND one of {', '.join(_KINDS)}")
    first, *options = rest.split(",")
    values: dict[str, float] = {}
    try:
        if kind == "latency":
            values["seconds"] = _duration(first)
        else:
            options.insert(0, first if first.startswith("every") else f"rate:{first}")
        for option in options:
            key, value = _option(option)
            if key not in _OPTIONS[kind]:
                raise ValueError(f"unknown option {key!r}")
            if key in values:
                raise ValueError(f"option {key!r} given twice")
            values[key] = _option_value(key, value)
        if "rate" in values and "every" in values:
            raise ValueError("give a rate or every:N, not both")
    except ValueError as exc:
        raise ValueError(f"bad fault {spec!r}: {exc}") from None
    every = values.get("every")
    return Fault(
        kind=kind,
        rate=values.get("rate", 1.0),
        every=None if every is None else int(every),
        seconds=values.get("seconds", 0.0),
        retry_after=int(values.get("retry-after", 1)),
        after_events=int(values.get("after", 2)),
    )


def _duration(text: str) -> float:
    """``200ms``, ``1.5s`` or plain seconds ``0.2``."""
    scale = 0.001 if text.endswith("ms") else 1.0
    seconds = float(text.removesuffix("ms").removesuffix("s")) * scale
    if not 0 <= seconds <= 600:
        raise ValueError(f"latency {text!r} must be between 0 and 600 seconds")
    return seconds


def _option(text: str) -> tuple[str, str]:
    """``name:value`` or ``name=value``."""
    cut = min((i for i in (text.find(":"), text.find("=")) if i >= 0), default=-1)
    if cut < 0:
        raise ValueError(f"option {text!r} needs a value, as name:value")
    return text[:cut].strip(), text[cut + 1 :].strip()


def _option_value(key: str, value: str) -> float:
    if key == "rate":
        rate = float(value)
        if not 0 <= rate <= 1:
            raise ValueError(f"rate {value} must be between 0 and 1")
        return rate
    number = int(value)
    if number < 1 and key == "every":
        raise ValueError("every:N needs N >= 1")
    if number < 0:
        raise ValueError(f"{key} must not be negative")
    return number


class FaultMiddleware:
    """Pure ASGI middleware applying faults, in order, to requests under ``/responses`` and ``/files``."""

    def __init__(self, app: ASGIApp, faults: list[Fault], seed: int = 0) -> None:
        self._app = app
        self._faults = tuple(faults)
        self._seen = [0] * len(self._faults)
        self._random = random.Random(seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _TARGETED.isdisjoint(scope["path"].split("/")):
            await self._app(scope, receive, send)
            return
        drops: list[int] = []
        for index, fault in enumerate(self._faults):
            if fault.kind == "keepalive":
                continue  # the background jobs send them (conformance/reference/background.py)
            if fault.kind == "drop-stream":
                drops.append(index)
            elif self._fires(index):
                if fault.kind == "latency":
                    await anyio.sleep(fault.seconds)
                else:
                    await _fault_error(fault).response()(scope, receive, send)
                    return
        if not drops:
            await self._app(scope, receive, send)
            return
        try:
            await self._app(scope, receive, _Dropper(send, lambda: self._drop_after(drops)))
        except Exception as exc:
            if isinstance(leaf := _leaf(exc), StreamDropped):
                raise leaf from None
            raise

    def _fires(self, index: int) -> bool:
        self._seen[index] += 1
        fault = self._faults[index]
        if fault.every is not None:
            return self._seen[index] % fault.every == 0
        return self._random.random() < fault.rate

    def _drop_after(self, drops: list[int]) -> int | None:
        """For a new event stream: after how many events the first firing drop-stream fault cuts it."""
        firing = [self._faults[index].after_events for index in drops if self._fires(index)]
        return firing[0] if firing else None


class _Dropper:
    """A ``send`` that passes K ``\\n\\n``-terminated events of an event stream, then raises StreamDropped."""

    def __init__(self, send: Send, decide: Callable[[], int | None]) -> None:
        self._send = send
        self._decide = decide
        self._limit: int | None = None
        self._events = 0
        self._pending_newline = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and _is_event_stream(message):
            self._limit = self._decide()
        elif message["type"] == "http.response.body" and self._limit is not None:
            body = message.get("body", b"")
            cut = 0 if self._limit == 0 else self._cut(body, self._limit)
            if cut is not None:
                if cut:
                    await self._send({"type": "http.response.body", "body": body[:cut], "more_body": True})
                raise StreamDropped(f"drop-stream fault: connection closed after {self._limit} events")
        await self._send(message)

    def _cut(self, body: bytes, limit: int) -> int | None:
        """The index just past the terminator of the ``limit``-th event if it is in ``body``."""
        start = 0
        if self._pending_newline and body.startswith(b"\n"):
            start = 1
            self._events += 1
        while self._events < limit and (found := body.find(b"\n\n", start)) != -1:
            start = found + 2
            self._events += 1
        if self._events == limit:
            return start
        self._pending_newline = body.endswith(b"\n") and start != len(body)
        return None


def _fault_error(fault: Fault) -> ApiError:
    if fault.kind == "rate-limit":
        return ApiError(
            429,
            "Rate limit reached (injected fault); retry after the Retry-After delay.",
            type="requests",
            code="rate_limit_exceeded",
            headers={"Retry-After": str(fault.retry_after)},
        )
    return ApiError(503, "The server is overloaded or not ready yet (injected fault).", type="server_error")


def _is_event_stream(message: Message) -> bool:
    return any(
        name.lower() == b"content-type" and value.split(b";")[0].strip().lower() == b"text/event-stream"
        for name, value in message.get("headers", [])
    )


def _leaf(exc: BaseException) -> BaseException:
    """The first leaf of nested exception groups (task groups in the app may wrap StreamDropped)."""
    while isinstance(inner := getattr(exc, "exceptions", None), tuple) and inner:
        exc = inner[0]
    return exc
