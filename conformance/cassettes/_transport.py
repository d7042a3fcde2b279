"""The httpx transport of a cell in record or replay mode: one cassette per check, no global patching.

Record sends to the real transport, stores the scrubbed exchange and hands the client the unscrubbed answer
(read whole first, as vcrpy does). Replay never opens a socket: it answers from the cassette or raises.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from vcr.request import Request

from conformance.cassettes._scrub import Scrubber
from conformance.cassettes._store import Cassette, key_of, load

CLEANUP = "_cleanup"  # the cassette of the requests a cell makes outside any check (its cleanup)


class CassetteTransport(httpx.BaseTransport):
    """Records into or replays from ``folder/<check-id>.yaml``; ``use(name)`` selects the check's cassette."""

    def __init__(self, mode: str, folder: Path, scrubber: Scrubber, inner: httpx.BaseTransport | None = None) -> None:
        if mode not in ("record", "replay"):
            raise ValueError(f"mode must be record or replay, not {mode!r}")
        self.mode, self.folder, self.scrubber = mode, folder, scrubber
        self._inner = inner if inner is not None or mode == "replay" else httpx.HTTPTransport()
        self._local = threading.local()  # the cassette of the check running on this thread (checks run concurrently)
        self._outside: Cassette | None = None
        self._lock = threading.Lock()

    @contextmanager
    def use(self, name: str) -> Iterator[None]:
        """Route this block's requests through the cassette ``name`` (loaded for replay, saved after record)."""
        cassette = self._open(name)
        self._local.current = cassette
        try:
            yield
        finally:
            self._local.current = None
            if self.mode == "record":
                cassette.save()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        current: Cassette | None = getattr(self._local, "current", None)
        cassette = current or self._cleanup_cassette()
        body = request.read()
        ctype = request.headers.get("content-type", "")
        recorded = Request(
            request.method, self.scrubber.uri(str(request.url)), self.scrubber.request_body(body, ctype),
            self.scrubber.request_headers(request.headers),
        )
        if self.mode == "replay":
            with self._lock:
                answer = cassette.play(key_of(recorded.method, recorded.uri, recorded.body.decode()))
            return self._replayed(answer)
        assert self._inner is not None
        live = self._inner.handle_request(request)
        try:
            raw = b"".join(live.stream)  # type: ignore[arg-type]
        finally:
            live.close()
        decoded = httpx.Response(live.status_code, headers=live.headers, content=raw, extensions=live.extensions)
        scrubbed = self.scrubber.response_body(decoded.content, decoded.headers.get("content-type", ""))
        with self._lock:
            cassette.append(recorded, {
                "status": {"code": decoded.status_code, "message": decoded.reason_phrase},
                "headers": self.scrubber.response_headers(decoded.headers, len(scrubbed)),
                "body": {"string": scrubbed},
            })
        return httpx.Response(live.status_code, headers=live.headers, content=raw, extensions=live.extensions)

    def close(self) -> None:
        if self._outside is not None and self.mode == "record":
            self._outside.save()
        if self._inner is not None:
            self._inner.close()

    def _open(self, name: str) -> Cassette:
        path = self.folder / f"{name}.yaml"
        return load(path) if self.mode == "replay" else Cassette(path)

    def _cleanup_cassette(self) -> Cassette:
        with self._lock:
            if self._outside is None:
                self._outside = self._open(CLEANUP)
            return self._outside

    def _replayed(self, recorded: dict[str, object]) -> httpx.Response:
        body = recorded["body"]["string"]  # type: ignore[index]
        raw = body.encode() if isinstance(body, str) else bytes(body)
        headers: dict[str, list[str]] = recorded["headers"]  # type: ignore[assignment]
        try:
            raw = self.scrubber.restore(raw.decode("utf-8")).encode()
        except UnicodeDecodeError:
            pass
        pairs = [(name, value) for name, values in headers.items() if name != "content-length" for value in values]
        status: dict[str, object] = recorded["status"]  # type: ignore[assignment]
        message = str(status.get("message") or "")
        extensions = {"reason_phrase": message.encode("ascii", "replace")} if message else {}
        return httpx.Response(int(status["code"]), headers=pairs, content=raw, extensions=extensions)  # type: ignore[call-overload]
