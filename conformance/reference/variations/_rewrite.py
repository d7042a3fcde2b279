"""Middleware that changes what a server says: JSON bodies whole, event streams block by block as they arrive.

Streams stay streams: each block (an event with its blank line) is rewritten and sent on as soon as it is
complete, so background streams, resumes and clients that stop reading behave as they do without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.reference.variations._base import is_api, route_of

_BOUNDARY = re.compile(rb"\r\n\r\n|\n\n")
_LINE = re.compile(r"\r\n|\n|\r")
Event = dict[str, Any]


@dataclass
class Call:
    """One request as a rewrite sees it: method, route without the URL-style prefix, query, and a state
    shared by the hooks of this one request."""

    method: str
    route: str
    query: dict[str, str]
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def is_create(self) -> bool:
        return self.method == "POST" and self.route == "/responses"


RequestHook = Callable[[Call], None]
BodyHook = Callable[[Call, Any], Any]
JsonHook = Callable[[Call, int, Any], tuple[int, Any]]
BlockHook = Callable[[Call, bytes], bytes]
EventHook = Callable[[Call, Event], list[Event]]


class Blocks:
    """Cuts an event stream into blocks, each ending with its blank line, as the bytes arrive."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        """The blocks ``chunk`` completes."""
        self._buffer += chunk
        out, start = [], 0
        for found in _BOUNDARY.finditer(self._buffer):
            out.append(self._buffer[start : found.end()])
            start = found.end()
        self._buffer = self._buffer[start:]
        return out

    def rest(self) -> bytes:
        """What is left without a blank line after it (sent on as it is)."""
        rest, self._buffer = self._buffer, b""
        return rest


async def read_body(receive: Receive) -> bytes:
    """The whole body of a request."""
    raw, more = bytearray(), True
    while more:
        message = await receive()
        raw += message.get("body", b"")
        more = message.get("more_body", False)
    return bytes(raw)


def replay(raw: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``raw`` as the body once, then what the client sends (its disconnect)."""
    given = False

    async def again() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return again


def _header(message: Message | Scope, name: bytes) -> bytes:
    return next((v for k, v in message.get("headers", []) if k.lower() == name), b"")


def _without_length(message: Message, length: int | None = None) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {**message, "headers": headers}


class Rewrite:
    """ASGI middleware applying hooks to Responses and Files API traffic: ``on_request`` may change the query,
    ``on_body`` rewrites a JSON request body, ``on_json`` a JSON answer (status and value), ``on_block`` each
    block of an event stream."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        on_request: RequestHook | None = None,
        on_body: BodyHook | None = None,
        on_json: JsonHook | None = None,
        on_block: BlockHook | None = None,
    ) -> None:
        self.app = app
        self.on_request = on_request
        self.on_body = on_body
        self.on_json = on_json
        self.on_block = on_block

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api(scope["path"]) or scope["path"].endswith("/content"):
            await self.app(scope, receive, send)  # file contents are the user's bytes, never rewritten
            return
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        call = Call(scope["method"], route_of(scope["path"]), dict(pairs))
        if self.on_request is not None:
            self.on_request(call)
            changed = {k: v for k, v in call.query.items() if dict(pairs).get(k) != v}
            if changed:
                kept = [(k, v) for k, v in pairs if k not in changed]
                scope = {**scope, "query_string": urlencode(kept + list(changed.items())).encode()}
        if self.on_body is not None and _header(scope, b"content-type").startswith(b"application/json"):
            raw = await read_body(receive)
            try:
                raw = orjson.dumps(self.on_body(call, orjson.loads(raw)))
            except orjson.JSONDecodeError:
                pass  # not JSON after all: the server says so itself
            receive = replay(raw, receive)
            scope = {
                **scope,
                "headers": [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
                + [(b"content-length", str(len(raw)).encode())],
            }
        await self.app(scope, receive, _Editor(self, call, send))


class _Editor:
    """The ``send`` of one request: passes everything on, rewriting JSON bodies and event-stream blocks."""

    def __init__(self, rewrite: Rewrite, call: Call, send: Send) -> None:
        self.rewrite = rewrite
        self.call = call
        self.send = send
        self.kind = ""
        self.start: Message = {}
        self.body = bytearray()
        self.blocks = Blocks()

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            media = _header(message, b"content-type")
            if media.startswith(b"text/event-stream") and self.rewrite.on_block is not None:
                self.kind = "sse"
                await self.send(_without_length(message))
            elif media.startswith(b"application/json") and self.rewrite.on_json is not None:
                self.kind, self.start = "json", message
            else:
                await self.send(message)
            return
        if message["type"] != "http.response.body" or not self.kind:
            await self.send(message)
            return
        more = bool(message.get("more_body", False))
        chunk = message.get("body", b"")
        if self.kind == "sse":
            assert self.rewrite.on_block is not None
            out = b"".join(self.rewrite.on_block(self.call, block) for block in self.blocks.feed(chunk))
            if not more:
                out += self.blocks.rest()
            if out or not more:
                await self.send({"type": "http.response.body", "body": out, "more_body": more})
            return
        self.body += chunk
        if more:
            return
        status, payload = self._json(int(self.start["status"]), bytes(self.body))
        await self.send({**_without_length(self.start, len(payload)), "status": status})
        await self.send({"type": "http.response.body", "body": payload, "more_body": False})

    def _json(self, status: int, raw: bytes) -> tuple[int, bytes]:
        assert self.rewrite.on_json is not None
        try:
            value = orjson.loads(raw) if raw else None
        except orjson.JSONDecodeError:
            return status, raw
        new_status, new_value = self.rewrite.on_json(self.call, status, value)
        return new_status, orjson.dumps(new_value)


def parse_block(block: bytes) -> tuple[list[str], str | None, Any]:
    """A block's other lines (comments, ``id:``...), its ``event:`` name and its data as JSON (or None)."""
    others, name, data = [], None, []
    for line in _LINE.split(block.decode("utf-8")):
        if line.startswith("data:"):
            data.append(line[6:] if line.startswith("data: ") else line[5:])
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line:
            others.append(line)
    if not data:
        return others, name, None
    try:
        return others, name, orjson.loads("\n".join(data))
    except orjson.JSONDecodeError:
        return others, name, None


def render(event: Event, named: bool = True, others: list[str] | None = None, newline: str = "\n") -> bytes:
    """One event as an SSE block (an ``event:`` line equal to its type when ``named``)."""
    lines = list(others or [])
    if named and isinstance(event.get("type"), str):
        lines.append(f"event: {event['type']}")
    lines.append("data: " + orjson.dumps(event).decode())
    return (newline.join(lines) + newline + newline).encode("utf-8")


def events(hook: EventHook) -> BlockHook:
    """A block hook applying ``hook`` to the JSON object a block carries; other blocks pass as they are."""

    def on_block(call: Call, block: bytes) -> bytes:
        others, name, data = parse_block(block)
        if not isinstance(data, dict):
            return block
        newline = "\r\n" if b"\r\n" in block else "\n"
        out = [
            render(e, name is not None, others if i == 0 else None, newline)
            for i, e in enumerate(hook(call, data))
        ]
        return b"".join(out)

    return on_block


def responses_in(value: Any) -> list[dict[str, Any]]:
    """The Response objects a JSON answer or an event carries (the body itself, or its ``response``)."""
    if not isinstance(value, dict):
        return []
    if value.get("object") == "response":
        return [value]
    inner = value.get("response")
    return [inner] if isinstance(inner, dict) and inner.get("object") == "response" else []
