"""Background responses: queued, then in_progress, then terminal after the think time; cancel; live streams."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

from conformance.reference import streaming
from conformance.reference.config import ServerConfig
from conformance.reference.engine import Engine, settle
from conformance.reference.errors import ApiError, bad_request, not_found
from conformance.reference.store import Store

RUNNING = ("queued", "in_progress")
_POLL = 0.02


class Jobs:
    """The asyncio tasks that drive background responses to their end."""

    def __init__(self, config: ServerConfig, store: Store, engine: Engine) -> None:
        self.config = config
        self.store = store
        self.engine = engine
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self._keepalive = next((f for f in config.faults if f.kind == "keepalive"), None)
        self._streams_seen = 0
        self._random = random.Random(0)

    def start(self, rid: str, headers: dict[str, str]) -> None:
        """Start driving a stored background response (a new one, or one left by a restart)."""
        self.store.put_job(rid, headers)
        self.tasks[rid] = asyncio.create_task(self._run(rid, headers), name=f"job-{rid}")
        self.tasks[rid].add_done_callback(lambda _: self.tasks.pop(rid, None))

    def resume_pending(self) -> None:
        """Restart the jobs an earlier server left unfinished."""
        for rid, headers in self.store.pending_jobs():
            self.start(rid, headers)

    async def shutdown(self) -> None:
        """Stop every running task (their jobs stay recorded and resume at the next start)."""
        tasks = list(self.tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def forget(self, rid: str) -> None:
        """Stop the task of a deleted response."""
        task = self.tasks.pop(rid, None)
        if task is not None:
            task.cancel()

    def cancel(self, rid: str) -> dict[str, Any]:
        """Cancel a background response; idempotent: a finished one is returned as it is."""
        stored = self.store.get_response(rid)
        if stored is None:
            raise not_found("Response", rid)
        body = stored.body
        if not body.get("background"):
            raise bad_request("Cannot cancel a synchronous response.", code="invalid_request")
        if body["status"] in RUNNING:
            self.forget(rid)
            body = {**body, "status": "cancelled"}
            self.store.update_response(body)
            self.store.finish_job(rid)
        return body

    async def follow(self, rid: str, after: int) -> AsyncIterator[bytes]:
        """The logged events after ``after`` as SSE, following the log until the response ends."""
        while True:
            for event in self.store.events_after(rid, after):
                after = event["sequence_number"]
                yield streaming.sse(event)
            stored = self.store.get_response(rid)
            if stored is None or stored.body["status"] not in RUNNING:
                for event in self.store.events_after(rid, after):
                    yield streaming.sse(event)
                return
            await asyncio.sleep(_POLL)

    def _keepalives(self) -> bool:
        """Whether the ``keepalive`` fault picks the next streamed background response (rate or every N)."""
        fault = self._keepalive
        if fault is None:
            return False
        self._streams_seen += 1
        if fault.every is not None:
            return self._streams_seen % fault.every == 0
        return self._random.random() < fault.rate

    async def _think(self, rid: str, seconds: float, keepalives: bool) -> None:
        """Wait; with ``keepalives``, log a numbered keepalive every ``keepalive_interval`` meanwhile."""
        if not keepalives:
            await asyncio.sleep(seconds)
            return
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while (left := end - loop.time()) > 0:
            await asyncio.sleep(min(left, self.config.keepalive_interval))
            if left > self.config.keepalive_interval:
                self.store.append_events(rid, [streaming.keepalive(self.store.next_seq(rid))])

    def _log(self, rid: str, events: list[dict[str, Any]]) -> None:
        self.store.append_events(rid, streaming.number(events, self.store.next_seq(rid)))

    async def _run(self, rid: str, headers: dict[str, str]) -> None:
        stored = self.store.get_response(rid)
        if stored is None or stored.body["status"] not in RUNNING:
            self.store.finish_job(rid)
            return
        half = self.config.think_time / 2
        body = stored.body
        keepalives = stored.stream and self._keepalives()
        if body["status"] == "queued":
            await self._think(rid, half, keepalives)
            body = {**body, "status": "in_progress"}
            self.store.update_response(body)
            if stored.stream:
                self._log(rid, [streaming.progress_event(body)])
        await self._think(rid, half, keepalives)
        try:
            prepared = self.engine.prepare(stored.request, headers)
            final = await self.engine.complete(prepared, rid, body["created_at"])
        except ApiError as exc:
            final = {**body, "status": "failed", "error": {"code": exc.code or "server_error", "message": exc.message}}
            settle(final)
        except Exception:  # a job must end: an unexpected error fails the response instead of hanging it
            final = {**body, "status": "failed", "error": {"code": "server_error", "message": "The job failed."}}
            settle(final)
        current = self.store.get_response(rid)
        if current is None or current.body["status"] not in RUNNING:
            return
        self.store.update_response(final)
        if stored.stream:
            self._log(rid, streaming.output_events(final))
        self.store.finish_job(rid)
