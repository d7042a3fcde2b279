"""Observed traffic as data: one request and its answer (an ``Exchange``), the exchanges of one test (a ``Session``).

Pure: the suite's evidence, cassettes, the monitor and the real recordings are all turned into exchanges, so
the exchange rules judge them alike. A route is the path without its URL-style prefix (``/v1``, ``/openai/v1``,
``/openai``, ``/api/projects/{p}/openai[/v1]``): ``/responses/resp_1/input_items``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson

from conformance.contract.grammar import TERMINAL_TYPES
from conformance.contract.sse import ServerSentEvent, looks_like_sse, parse_sse

TERMINAL_STATUSES = frozenset({"completed", "incomplete", "failed", "cancelled"})
RUNNING_STATUSES = frozenset({"queued", "in_progress"})
ID_KINDS = frozenset({"retrieve", "stream", "delete", "cancel", "input_items"})
LIFECYCLE = frozenset({"response.created", "response.queued", "response.in_progress", *TERMINAL_TYPES})

_PREFIX = re.compile(r"^(?:/api/projects/[^/]+)?(?:/openai)?(?:/v1)?(?=/|$)")
_ID_ROUTE = re.compile(r"^/responses/(?P<id>[^/]+)(?P<tail>/cancel|/input_items)?$")
_FIXED_ROUTES = {"/responses": "create", "/responses/input_tokens": "input_tokens", "/responses/compact": "compact"}


def route_of(path: str) -> str:
    """The route of a URL or path: no scheme, host, query or URL-style prefix, no trailing slash."""
    path = urlsplit(path).path.rstrip("/") or "/"
    return _PREFIX.sub("", path, count=1) or "/"


def _json(value: Any) -> Any:
    """A JSON value from bytes or text (None when empty or not JSON); anything else as it is."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return value
    if not value.strip():
        return None
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return None


def _payload(event: ServerSentEvent) -> dict[str, Any] | None:
    try:
        data = orjson.loads(event.data)
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, as observed: bodies parsed, a stream as its events."""

    method: str
    route: str
    query: Mapping[str, str] = field(default_factory=dict)
    request: Any = None
    status: int | None = 200  # None when the log kept no status (a response-only fixture)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    events: list[dict[str, Any]] | None = None
    sse: tuple[ServerSentEvent, ...] | None = None  # the raw events, for the grammar (event names, non-JSON data)
    source: str = ""  # where it was observed (a file, a cassette, a check)

    @classmethod
    def from_raw(
        cls,
        method: str,
        url: str,
        *,
        request: Any = None,
        status: int | None = 200,
        body: Any = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        source: str = "",
    ) -> Exchange:
        """An exchange from the parts a log holds: the URL or path with its query, bodies as bytes, text or JSON."""
        split = urlsplit(url)
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        content_type = (content_type or headers.get("content-type") or "").lower()
        sse: tuple[ServerSentEvent, ...] | None = None
        parsed: Any = None
        if isinstance(body, str | bytes | bytearray):
            text = bytes(body) if isinstance(body, bytearray) else body
            if "text/event-stream" in content_type or looks_like_sse(text):
                sse = tuple(parse_sse(text))
            else:
                parsed = _json(text)
        else:
            parsed = body
        return cls(
            method=method.upper(),
            route=route_of(split.path),
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            request=_json(request),
            status=status,
            headers=headers,
            body=parsed,
            events=None if sse is None else [p for p in map(_payload, sse) if p is not None],
            sse=sse,
            source=source,
        )

    @property
    def kind(self) -> str:
        """What the request does: create, retrieve, stream (a replay), delete, cancel, input_items, ... or other."""
        fixed = _FIXED_ROUTES.get(self.route)
        if fixed is not None:
            return fixed if self.method == "POST" else "other"
        match = _ID_ROUTE.match(self.route)
        if match is None:
            return "other"
        tail = match["tail"]
        if tail == "/cancel":
            return "cancel" if self.method == "POST" else "other"
        if tail == "/input_items":
            return "input_items" if self.method == "GET" else "other"
        if self.method == "DELETE":
            return "delete"
        if self.method == "GET":
            return "stream" if self.query.get("stream", "").lower() == "true" else "retrieve"
        return "other"

    @property
    def target(self) -> str | None:
        """The response id the route names (retrieve, stream, delete, cancel, input_items), else None."""
        match = _ID_ROUTE.match(self.route)
        return match["id"] if match is not None and self.kind in ID_KINDS else None

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def client_error(self) -> bool:
        """A 4xx answer."""
        return self.status is not None and 400 <= self.status < 500

    @property
    def starting_after(self) -> int | None:
        """The ``starting_after`` of a replayed stream, when it is an integer."""
        value = self.query.get("starting_after")
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    @property
    def stream_events(self) -> tuple[ServerSentEvent, ...]:
        """The events as the grammar reads them (rebuilt from ``events`` when no raw events were kept)."""
        if self.sse is not None:
            return self.sse
        return tuple(ServerSentEvent(orjson.dumps(e).decode()) for e in self.events or ())

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Every Response object the answer carries, in order: the JSON body, or each lifecycle event's response."""
        if self.events is not None:
            return [e["response"] for e in self.events
                    if e.get("type") in LIFECYCLE and isinstance(e.get("response"), dict)]
        body = self.body
        return [body] if self.ok and isinstance(body, dict) and body.get("object") == "response" else []

    @property
    def response(self) -> dict[str, Any] | None:
        """The last Response object of the answer (a stream's terminal one when it has one), else None."""
        found = self.responses
        return found[-1] if found else None

    @property
    def response_id(self) -> str | None:
        """The id of the response this exchange is about: the one it names, else the one it answered."""
        if self.target is not None:
            return self.target
        response = self.response
        rid = response.get("id") if response is not None else None
        return rid if isinstance(rid, str) else None

    @property
    def terminal(self) -> bool:
        """The answer shows its response finished: a terminal status in the body or a stream's terminal event."""
        if self.events is not None:
            return any(e.get("type") in TERMINAL_TYPES for e in self.events)
        response = self.response
        return response is not None and response.get("status") in TERMINAL_STATUSES


@dataclass(frozen=True)
class Session:
    """The exchanges of one test, in the order they were sent, judged against one profile."""

    name: str
    exchanges: tuple[Exchange, ...]
    profile: str = "openai"

    @classmethod
    def of(cls, name: str, exchanges: Iterable[Exchange], profile: str = "openai") -> Session:
        return cls(name, tuple(exchanges), profile)

    def about(self, response_id: str) -> list[int]:
        """The positions of the exchanges about one response id, in order."""
        return [i for i, x in enumerate(self.exchanges) if x.response_id == response_id]

    def creation(self, response_id: str) -> int | None:
        """The position of the create (streamed or not) that answered this response id, when the session has it."""
        return next((i for i in self.about(response_id) if self.exchanges[i].kind == "create"), None)

    def created_with(self, response_id: str) -> dict[str, Any] | None:
        """The request body that created a response, when the session has it."""
        index = self.creation(response_id)
        request = self.exchanges[index].request if index is not None else None
        return request if isinstance(request, dict) else None

    def response_ids(self) -> list[str]:
        """Every response id the session is about, in order of first appearance."""
        seen: dict[str, None] = {}
        for exchange in self.exchanges:
            if exchange.response_id is not None:
                seen.setdefault(exchange.response_id)
        return list(seen)
