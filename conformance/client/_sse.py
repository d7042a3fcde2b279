"""Reading a streamed answer event by event as the bytes arrive (``iter_bytes``, never ``iter_lines``)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import httpx

from conformance.client._errors import TargetUnreachable
from conformance.client._evidence import Exchange, parse_data
from conformance.contract.sse import ServerSentEvent, SSEDecoder

Reopen = Callable[[str, int], "EventStream"]


class StreamInterrupted(TargetUnreachable):
    """The connection broke before the stream ended; the events read so far are kept."""


class EventStream:
    """The events of one streamed answer, yielded as they arrive; ``.events`` holds what was read.

    An answer that is not an event stream (an error) is read at once: ``.body`` is its JSON.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        exchange: Exchange | None = None,
        reopen: Reopen | None = None,
        started: float | None = None,
        on_event: Callable[[Any], None] | None = None,
    ) -> None:
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.events: list[ServerSentEvent] = []
        self.payloads: list[Any] = []
        self.body: Any = None
        self.error: str | None = None
        self._exchange = exchange
        self._reopen = reopen
        self._on_event = on_event
        self._started = time.monotonic() if started is None else started
        self._decoder = SSEDecoder()
        self._pending: deque[ServerSentEvent] = deque()
        self._chunks: Iterator[bytes] | None = None
        self._closed = False
        if not self.is_sse:
            self.body = self._read_body()
            self.close()

    @property
    def is_sse(self) -> bool:
        """True when the answer is an event stream."""
        kind: str = self.headers.get("content-type", "")
        return kind.startswith("text/event-stream")

    @property
    def ok(self) -> bool:
        """A 2xx event stream."""
        return 200 <= self.status_code < 300 and self.is_sse

    @property
    def closed(self) -> bool:
        return self._closed

    def _read_body(self) -> Any:
        try:
            self.response.read()
        except httpx.HTTPError:
            return None
        return parse_data(self.response.text) if self.response.content else None

    def __iter__(self) -> Iterator[ServerSentEvent]:
        """The events not read yet, each as soon as its blank line arrives."""
        while True:
            if self._pending:
                event = self._pending.popleft()
                self._take(event)
                yield event
                continue
            if self._closed:
                return
            if self._chunks is None:
                self._chunks = self.response.iter_bytes()
            try:
                chunk = next(self._chunks)
            except StopIteration:
                self._pending.extend(self._decoder.close())
                self._finish()
            except httpx.HTTPError as exc:
                first = (str(exc).splitlines() or [""])[0]
                self._finish(f"{type(exc).__name__}: {first}")
                raise StreamInterrupted(
                    f"the stream broke after {len(self.events)} events: {type(exc).__name__}: {first}"
                ) from None
            else:
                self._pending.extend(self._decoder.feed(chunk))

    def _take(self, event: ServerSentEvent) -> None:
        data = parse_data(event.data)
        self.events.append(event)
        self.payloads.append(data)
        if self._exchange is not None:
            self._exchange.add_event(event, data)
        if self._on_event is not None:
            self._on_event(data)

    def read_all(self) -> list[ServerSentEvent]:
        """Read to the end of the stream; every event read."""
        for _ in self:
            pass
        return self.events

    def read_until(self, count: int) -> list[ServerSentEvent]:
        """Read until ``count`` events have been read in all, then disconnect (for resume tests)."""
        if len(self.events) < count:
            for _ in self:
                if len(self.events) >= count:
                    break
        self.close()
        return self.events

    def json(self) -> list[dict[str, Any]]:
        """The events read whose data is a JSON object, in order."""
        return [data for data in self.payloads if isinstance(data, dict)]

    @property
    def response_id(self) -> str | None:
        """The response id carried by the first events (``response.created`` / ``response.queued``)."""
        for data in self.payloads:
            if isinstance(data, dict) and isinstance(data.get("response"), dict):
                rid = data["response"].get("id")
                if isinstance(rid, str):
                    return rid
        return None

    @property
    def last_sequence_number(self) -> int | None:
        """The highest ``sequence_number`` read so far."""
        numbers = [d["sequence_number"] for d in self.payloads if isinstance(d, dict)
                   and type(d.get("sequence_number")) is int]
        return max(numbers) if numbers else None

    def resume(self, starting_after: int | None = None) -> EventStream:
        """A new stream of the same response after ``starting_after`` (default: the last number read)."""
        after = self.last_sequence_number if starting_after is None else starting_after
        rid = self.response_id
        if self._reopen is None or rid is None or after is None:
            raise ValueError("cannot resume: no response id or sequence number read yet")
        return self._reopen(rid, after)

    def _finish(self, error: str | None = None) -> None:
        if self._closed:
            return
        self._closed = True
        self.error = error
        self.response.close()
        if self._exchange is not None:
            self._exchange.finish(time.monotonic() - self._started, error)

    def close(self) -> None:
        """Close the connection (idempotent); events not yet read are dropped."""
        self._pending.clear()
        self._finish()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
