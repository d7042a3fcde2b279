"""The input items of a chained response list the whole conversation, newest first, as OpenAI lists them.

The middleware asks the server it wraps (the reference app, or the proxied target) for the chain: each
earlier response's own input items and output, then pages the conversation as the request asks.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.reference.variations._base import PAYLOAD, route_of, variation

_INPUT_ITEMS = re.compile(r"^/responses/([^/]+)/input_items$")
_PAGING = ("limit", "order", "after", "before")
_DEPTH = 64  # the longest chain followed


class _FullContext:
    """Answers GET /responses/{id}/input_items of a chained response with the whole conversation."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _INPUT_ITEMS.match(route_of(scope["path"])) if scope["type"] == "http" else None
        if found is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        prefix = scope["path"][: len(scope["path"]) - len(route_of(scope["path"]))]
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        base = [(k, v) for k, v in pairs if k not in _PAGING]
        status, answer = await self._get(scope, f"{prefix}/responses/{found.group(1)}", base)
        if status != 200 or not isinstance(answer, dict) or not answer.get("previous_response_id"):
            await self.app(scope, receive, send)  # not chained (or not there): the server's own answer
            return
        checked, _ = await self._get(
            scope, scope["path"], [(k, v) for k, v in pairs if k not in ("after", "before")]
        )
        items = await self._conversation(scope, prefix, base, found.group(1))
        if checked != 200 or items is None:  # a bad limit or order, or a chain that cannot be read
            await self.app(scope, receive, send)
            return
        await _page(items, dict(pairs))(scope, receive, send)

    async def _conversation(
        self, scope: Scope, prefix: str, base: list[tuple[str, str]], rid: str
    ) -> list[Any] | None:
        """The conversation up to ``rid`` (its own input items last), oldest first, each item once."""
        chain: list[Any] = []
        current: str | None = rid
        for _ in range(_DEPTH):
            if not current:
                break
            status, response = await self._get(scope, f"{prefix}/responses/{current}", base)
            own = await self._items(scope, prefix, base, current)
            if status != 200 or not isinstance(response, dict) or own is None:
                break  # an earlier turn that is gone (deleted) ends the conversation there
            output = response.get("output") if current != rid else []
            chain = own + [i for i in output or [] if isinstance(i, dict)] + chain
            current = response.get("previous_response_id")
        seen: set[str] = set()
        unique = []
        for item in chain:
            ident = item.get("id") if isinstance(item, dict) else None
            if ident is None or ident not in seen:
                unique.append(item)
                seen.update([ident] if isinstance(ident, str) else [])
        return unique or None

    async def _items(
        self, scope: Scope, prefix: str, base: list[tuple[str, str]], rid: str
    ) -> list[Any] | None:
        """Every input item the server lists for ``rid``, oldest first."""
        items: list[Any] = []
        after: list[tuple[str, str]] = []
        while True:
            query = [*base, ("order", "asc"), ("limit", "100"), *after]
            status, page = await self._get(scope, f"{prefix}/responses/{rid}/input_items", query)
            if status != 200 or not isinstance(page, dict) or not isinstance(page.get("data"), list):
                return None
            items += page["data"]
            if not page.get("has_more") or not page["data"] or not isinstance(page.get("last_id"), str):
                return items
            after = [("after", page["last_id"])]

    async def _get(self, scope: Scope, path: str, query: list[tuple[str, str]]) -> tuple[int, Any]:
        """A GET through the wrapped server with the request's headers (its credentials): status and JSON."""
        sub = {
            **scope,
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": urlencode(query).encode(),
        }
        status, body = 0, bytearray()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            if asked:
                return {"type": "http.disconnect"}
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def collect(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(sub, receive, collect)
        try:
            return status, orjson.loads(body) if body else None
        except orjson.JSONDecodeError:
            return status, None


def _page(items: list[Any], query: dict[str, str]) -> JSONResponse:
    """The page of ``items`` (oldest first) the query asks for: order (desc by default), after, before,
    limit."""
    ordered = items if query.get("order") == "asc" else items[::-1]
    ids = [item.get("id") if isinstance(item, dict) else None for item in ordered]
    for name in ("after", "before"):
        mark = query.get(name)
        if mark is not None and mark not in ids:
            error = {
                "message": f"Invalid '{name}': no input item with id '{mark}'.",
                "type": "invalid_request_error",
                "param": name,
                "code": "invalid_value",
            }
            return JSONResponse({"error": error}, 400)
    start = ids.index(query["after"]) + 1 if "after" in query else 0
    end = ids.index(query["before"]) if "before" in query else len(ordered)
    window = ordered[start:end]
    page = window[: int(query.get("limit") or 20)]
    return JSONResponse(
        {
            "object": "list",
            "data": page,
            "first_id": page[0].get("id") if page else None,
            "last_id": page[-1].get("id") if page else None,
            "has_more": len(window) > len(page),
        }
    )


variation(
    "input-items-full-context",
    "The input items of a chained response list the whole conversation, newest first: its own input, the "
    "earlier turns' output and input.",
    source="recording openai-dotnet__ResponsesTests.CustomToolCallWorksAsync__3 (tool output, the earlier "
    "tool call, the first user message)",
    affects=("chaining.*", "lifecycle.input_items.*"),
    wrap=_FullContext,
    layer=PAYLOAD,
    flavors=("openai",),
)
