"""Contract violations the reference server can be switched to commit, to prove the suite catches them.

A violation rewrites what the faithful server does: the request it sees, the JSON it answers, or the events
it streams. Each names the check IDs expected to catch it. ``ViolatingMiddleware`` applies a set of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PREFIX = re.compile(r"^(/openai/v1|/openai|/v1)(?=/)")
_APIS = ("/responses", "/files")  # the traffic violations may rewrite: the Responses API and its Files API
RAW_DATA = "sse:raw"  # an event ``{RAW_DATA: text}`` is sent as a bare ``data: text`` line (e.g. ``[DONE]``)


@dataclass(frozen=True)
class Exchange:
    """One request as a violation sees it: method, path without the URL-style prefix, query, JSON body."""

    method: str
    route: str
    query: dict[str, str]
    body: Any

    @property
    def is_create(self) -> bool:
        return self.method == "POST" and self.route == "/responses"


RequestRewrite = Callable[[Exchange], Any]
JsonRewrite = Callable[[Exchange, int, Any], tuple[int, Any]]
EventsRewrite = Callable[[Exchange, list[dict[str, Any]]], list[dict[str, Any]]]


@dataclass(frozen=True)
class ContractBreak:
    """A switchable violation: its name, the bug it imitates, the checks that must catch it, and its rewrites.

    ``flavor`` is the reference server flavour its catchers judge it on (some checks apply to Azure only).
    """

    name: str
    description: str
    caught_by: tuple[str, ...]
    on_request: RequestRewrite | None = None
    on_json: JsonRewrite | None = None
    on_events: EventsRewrite | None = None
    flavor: str = "openai"


VIOLATIONS: dict[str, ContractBreak] = {}


def violation(
    name: str,
    description: str,
    *,
    caught_by: tuple[str, ...],
    on_request: RequestRewrite | None = None,
    on_json: JsonRewrite | None = None,
    on_events: EventsRewrite | None = None,
    flavor: str = "openai",
) -> ContractBreak:
    """Register a violation; a name registered twice raises."""
    if name in VIOLATIONS:
        raise ValueError(f"violation {name!r} is registered twice")
    if not caught_by:
        raise ValueError(f"violation {name!r} names no check expected to catch it")
    if flavor not in ("azure", "openai"):
        raise ValueError(f"violation {name!r}: unknown flavour {flavor!r}")
    found = ContractBreak(name, description, caught_by, on_request, on_json, on_events, flavor)
    VIOLATIONS[name] = found
    return found


@dataclass
class _Buffered:
    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)


def _parse_sse(body: bytes) -> list[dict[str, Any]]:
    events = []
    for block in body.decode("utf-8").split("\n\n"):
        data = [line[5:].lstrip(" ") for line in block.split("\n") if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    return events


def _render_sse(events: list[dict[str, Any]]) -> bytes:
    out = []
    for event in events:
        if RAW_DATA in event:
            out.append(f"data: {event[RAW_DATA]}\n\n")
            continue
        name = event.get("type")
        head = f"event: {name}\n" if isinstance(name, str) else ""
        out.append(f"{head}data: {json.dumps(event, separators=(',', ':'))}\n\n")
    return "".join(out).encode("utf-8")


def unknown_violations(names: list[str] | tuple[str, ...]) -> list[str]:
    """The names among ``names`` that are not registered violations."""
    return [n for n in names if n not in VIOLATIONS]


class ViolatingMiddleware:
    """ASGI middleware that applies violations to the Responses and Files API traffic of the app it wraps."""

    def __init__(self, app: ASGIApp, names: list[str]) -> None:
        unknown = unknown_violations(names)
        if unknown:
            raise ValueError(f"unknown violation(s): {', '.join(unknown)}")
        self.app = app
        self.breaks = [VIOLATIONS[n] for n in names]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not any(api in scope["path"] for api in _APIS):
            await self.app(scope, receive, send)
            return
        raw = bytearray()
        more = True
        while more:
            message = await receive()
            raw += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        query = dict(
            part.split("=", 1) if "=" in part else (part, "")
            for part in scope.get("query_string", b"").decode().split("&")
            if part
        )
        exchange = Exchange(scope["method"], _PREFIX.sub("", scope["path"]), query, body)
        for brk in self.breaks:
            if brk.on_request is not None and isinstance(body, dict):
                body = brk.on_request(exchange)
                exchange = Exchange(exchange.method, exchange.route, query, body)
        new_raw = json.dumps(body).encode() if body is not None and any(b.on_request for b in self.breaks) else bytes(raw)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:  # the body is replayed; what comes next is the client's own disconnect
                return await receive()
            sent = True
            return {"type": "http.request", "body": new_raw, "more_body": False}

        buffered = _Buffered()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                buffered.status = message["status"]
                buffered.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                buffered.body += message.get("body", b"")

        await self.app(scope, replay, capture)
        await self._answer(exchange, buffered, send)

    async def _answer(self, exchange: Exchange, buffered: _Buffered, send: Send) -> None:
        content_type = dict(buffered.headers).get(b"content-type", b"").decode()
        status, payload = buffered.status, bytes(buffered.body)
        if content_type.startswith("text/event-stream"):
            events = _parse_sse(payload)
            for brk in self.breaks:
                if brk.on_events is not None:
                    events = brk.on_events(exchange, events)
            payload = _render_sse(events)
        elif content_type.startswith("application/json") and payload:
            value = json.loads(payload)
            for brk in self.breaks:
                if brk.on_json is not None:
                    status, value = brk.on_json(exchange, status, value)
            payload = json.dumps(value).encode()
        headers = [(k, v) for k, v in buffered.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload, "more_body": False})
