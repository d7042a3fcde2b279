"""Handlers of ``/responses``: create, retrieve (and stream resume), delete, cancel, input_items."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from conformance.reference import payload, streaming
from conformance.reference.background import Jobs
from conformance.reference.config import ServerConfig
from conformance.reference.engine import IMAGE_HEADER, Engine
from conformance.reference.errors import bad_request, not_found
from conformance.reference.items import new_id
from conformance.reference.store import Store, StoredResponse

SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}
BILLED = ("completed", "incomplete")  # statuses whose JSON bodies carry billing (not queued nor cancelled)


def _sse(chunks: AsyncIterator[bytes]) -> StreamingResponse:
    return StreamingResponse(chunks, media_type="text/event-stream", headers=SSE_HEADERS)


async def _replay(events: Iterable[dict[str, Any]]) -> AsyncIterator[bytes]:
    for event in events:
        yield streaming.sse(event)


class ResponsesApi:
    """The response endpoints over one store, engine and job runner."""

    def __init__(self, config: ServerConfig, store: Store, engine: Engine, jobs: Jobs) -> None:
        self.config = config
        self.store = store
        self.engine = engine
        self.jobs = jobs

    def _stored(self, rid: str) -> StoredResponse:
        stored = self.store.get_response(rid)
        if stored is None:
            raise not_found("Response", rid)
        return stored

    def _json(self, response: dict[str, Any]) -> JSONResponse:
        """A Response object as a JSON answer: the openai flavour adds billing once it is terminal, as OpenAI
        does on JSON bodies (539 of 671 in the recordings) but never on stream events."""
        if self.config.flavor == "openai" and response.get("status") in BILLED:
            response = {**response, "billing": {"payer": "developer"}}
        return JSONResponse(response)

    def _conversation(self, rid: str) -> list[dict[str, Any]]:
        """The input items of a response, oldest first: for a chained one, every earlier turn's input and
        output before its own input (as real OpenAI lists it; a deleted link ends the chain)."""
        items: list[dict[str, Any]] = []
        current: str | None = rid
        while current is not None and (stored := self.store.get_response(current)) is not None:
            earlier = (stored.body.get("output") or []) if current != rid else []
            items = self.store.input_items(current) + earlier + items
            previous = stored.body.get("previous_response_id")
            current = previous if isinstance(previous, str) else None
        return items

    async def create(self, request: Request) -> Response:
        """POST /responses."""
        body = await payload.read_json(request, self.config.max_body_bytes)
        payload.check_create(body, self.config.profile)
        headers = {IMAGE_HEADER: request.headers[IMAGE_HEADER]} if IMAGE_HEADER in request.headers else {}
        prepared = self.engine.prepare(body, headers)
        rid, created_at = new_id("resp"), int(time.time())
        stream = body.get("stream") is True
        keep = body.get("store", True) is not False
        if body.get("background") is True:
            snapshot = self.engine.snapshot(body, rid, created_at, "queued")
            self.store.put_response(snapshot, body, stream, prepared.items)
            if stream:
                self.store.append_events(rid, streaming.number(streaming.start_events(snapshot), 0))
            self.jobs.start(rid, headers)
            return _sse(self.jobs.follow(rid, -1)) if stream else self._json(snapshot)
        final = await self.engine.complete(prepared, rid, created_at)
        if not stream:
            if keep:
                self.store.put_response(final, body, False, prepared.items)
            return self._json(final)
        snapshot = self.engine.snapshot(body, rid, created_at, "in_progress")
        events = streaming.number(streaming.start_events(snapshot) + streaming.output_events(final), 0)
        if keep:
            self.store.put_response(final, body, True, prepared.items)
            self.store.append_events(rid, events)
        return _sse(_replay(events))

    async def response(self, request: Request) -> Response:
        """GET /responses/{id} (``?stream=true&starting_after=N`` resumes) and DELETE /responses/{id}."""
        rid = request.path_params["rid"]
        if request.method == "DELETE":
            if not self.store.delete_response(rid):
                raise not_found("Response", rid)
            self.jobs.forget(rid)
            return JSONResponse({"id": rid, "object": "response.deleted", "deleted": True})
        stored = self._stored(rid)
        if request.query_params.get("stream", "false").lower() != "true":
            return self._json(stored.body)
        if not stored.stream:
            raise bad_request(
                "This response was not created with stream=true, so its stream cannot be resumed.", "stream", "invalid_value"
            )
        after = payload.query_int(request, "starting_after", -1, -1, 2**53)
        return _sse(self.jobs.follow(rid, after))

    async def cancel(self, request: Request) -> Response:
        """POST /responses/{id}/cancel."""
        return self._json(self.jobs.cancel(request.path_params["rid"]))

    async def input_items(self, request: Request) -> Response:
        """GET /responses/{id}/input_items with limit, order, after and before."""
        rid = request.path_params["rid"]
        self._stored(rid)
        limit = payload.query_int(request, "limit", 20, 1, 100)
        order = request.query_params.get("order", "desc")
        if order not in ("asc", "desc"):
            raise bad_request(f"Invalid 'order': expected 'asc' or 'desc', got '{order}'.", "order", "invalid_value")
        items = self._conversation(rid)
        if order == "desc":
            items.reverse()
        ids = [item.get("id") for item in items]
        for name in ("after", "before"):
            mark = request.query_params.get(name)
            if mark is not None and mark not in ids:
                raise bad_request(f"Invalid '{name}': no input item with id '{mark}'.", name, "invalid_value")
        after, before = request.query_params.get("after"), request.query_params.get("before")
        start = ids.index(after) + 1 if after is not None else 0
        end = ids.index(before) if before is not None else len(items)
        window = items[start:end]
        page = window[:limit]
        return JSONResponse(
            {
                "object": "list",
                "data": page,
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
                "has_more": len(window) > limit,
            }
        )
