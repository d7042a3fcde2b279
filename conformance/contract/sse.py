"""Server-sent events, decoded from bytes as the WHATWG spec says.

Lines end only at CR, LF or CRLF, found in the bytes: never ``str.splitlines()``, which also splits on
U+2028 / U+0085 and would cut JSON that carries them. Pure: the caller feeds chunks, this yields events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event: its ``event:`` name (None when absent), joined ``data:`` and ``id:``."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class LineDecoder:
    """Incremental bytes -> lines splitter on CR, LF and CRLF only (a CRLF may span two chunks)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._pending_cr = False

    def feed(self, chunk: bytes) -> list[bytes]:
        lines: list[bytes] = []
        if self._pending_cr and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._pending_cr = False
        start = 0
        i = 0
        n = len(chunk)
        while i < n:
            c = chunk[i]
            if c == 0x0A or c == 0x0D:
                self._buffer += chunk[start:i]
                lines.append(bytes(self._buffer))
                self._buffer.clear()
                if c == 0x0D:
                    if i + 1 < n:
                        if chunk[i + 1] == 0x0A:
                            i += 1
                    else:
                        self._pending_cr = True
                start = i + 1
            i += 1
        self._buffer += chunk[start:]
        return lines

    def flush(self) -> list[bytes]:
        if self._buffer:
            line = bytes(self._buffer)
            self._buffer.clear()
            return [line]
        return []


class SSEDecoder:
    """Incremental SSE decoder: ``feed(bytes)`` returns the events completed by that chunk."""

    def __init__(self) -> None:
        self._lines = LineDecoder()
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        self._has_fields = False
        self._started = False  # a byte order mark is ignored at the start of the stream only

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        return self._consume(self._lines.feed(chunk))

    def close(self) -> list[ServerSentEvent]:
        """End of stream: an event not yet ended by a blank line is still returned."""
        events = self._consume(self._lines.flush())
        dispatched = self._dispatch()
        if dispatched is not None:
            events.append(dispatched)
        return events

    def _consume(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for raw in lines:
            line = raw.decode("utf-8", errors="replace")
            if not self._started:
                self._started = True
                line = line.removeprefix("\ufeff")
            if not line:
                dispatched = self._dispatch()
                if dispatched is not None:
                    events.append(dispatched)
                continue
            if line.startswith(":"):
                continue
            name, sep, value = line.partition(":")
            if sep and value.startswith(" "):
                value = value[1:]
            self._field(name, value)
        return events

    def _field(self, name: str, value: str) -> None:
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\x00" not in value:
                self._id = value
        elif name == "retry":
            if value.isdigit():
                self._retry = int(value)
        else:
            return
        self._has_fields = True

    def _dispatch(self) -> ServerSentEvent | None:
        if not self._has_fields:
            return None
        event = ServerSentEvent(
            data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry
        )
        self._event, self._data, self._retry, self._has_fields = None, [], None, False
        if not event.data and event.event is None:
            return None
        return event


def iter_sse(chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
    """Events from an iterable of byte chunks, yielded as soon as each one is complete."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()


def parse_sse(transcript: bytes | str) -> list[ServerSentEvent]:
    """Every event of a whole SSE transcript."""
    data = transcript.encode("utf-8") if isinstance(transcript, str) else transcript
    return list(iter_sse([data]))


def looks_like_sse(text: bytes | str) -> bool:
    """True when the text starts like an SSE transcript (an ``event:``, ``data:``, ``id:`` or comment line)."""
    head = text[:512].decode("utf-8", "replace") if isinstance(text, bytes) else text[:512]
    head = head.lstrip("\ufeff \t\r\n")
    return head.startswith(("event:", "data:", "id:", ":", "retry:"))
