"""The redacted wire log of one check in one cell: requests, answers, SSE events and retry attempts."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

import httpx
import orjson

from conformance.client._redact import Secrets, redact_headers, redact_json, redact_url
from conformance.client._retry import Attempt
from conformance.contract.sse import ServerSentEvent

BASE64_KEEP = 256
TEXT_KEEP = 16_384
_BASE64 = re.compile(r"(?:data:[^,;]*(?:;[^,;]*)*;base64,)?[A-Za-z0-9+/_-]+={0,2}")


def shorten(obj: Any) -> Any:
    """A copy where base64 strings over 256 characters (data URLs too) and huge texts are cut, with a note."""
    if isinstance(obj, str):
        if len(obj) > BASE64_KEEP and _BASE64.fullmatch(obj) and len(obj) - obj.find(",") > BASE64_KEEP:
            return f"{obj[:64]}…<cut: {len(obj)} characters of base64>"
        if len(obj) > TEXT_KEEP:
            return f"{obj[:TEXT_KEEP]}…<cut: {len(obj)} characters>"
        return obj
    if isinstance(obj, dict):
        return {key: shorten(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [shorten(value) for value in obj]
    return obj


def parse_data(data: str) -> Any:
    """An event's data as JSON, or the raw string when it is not JSON (``[DONE]``)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return data


def _body(content: bytes, content_type: str) -> Any:
    if content_type.startswith("multipart/"):
        return f"<multipart body: {len(content)} bytes>"
    if not content:
        return None
    try:
        return redact_json(orjson.loads(content))
    except orjson.JSONDecodeError:
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(content)} bytes of {content_type or 'binary data'}>"


def _request_body(request: httpx.Request) -> Any:
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/"):
        return f"<multipart body: {request.headers.get('content-length', '?')} bytes>"
    try:
        return _body(request.content, kind)
    except httpx.RequestNotRead:
        return "<streamed body>"


class Exchange:
    """One request and its answer; a streamed answer's events are added as they are read."""

    def __init__(self, evidence: Evidence, record: dict[str, Any]) -> None:
        self._evidence = evidence
        self.record = record

    def add_event(self, event: ServerSentEvent, data: Any) -> None:
        """Log one event as read: its name and parsed data (sequence_number kept)."""
        entry = {"event": event.event, "data": shorten(redact_json(data))}
        self.record.setdefault("events", []).append(self._evidence.clean(entry))

    def finish(self, duration_s: float, error: str | None = None) -> None:
        """The exchange's total duration (a stream's ends when it is closed), and why it broke, if it did."""
        self.record["duration_s"] = round(duration_s, 4)
        if error is not None:
            self.record["error"] = self._evidence.secrets.scrub(error)


class Evidence:
    """A list of exchanges; every string passes through ``Secrets.scrub`` before it is stored."""

    def __init__(self, secrets: Secrets | None = None) -> None:
        self.secrets = secrets if secrets is not None else Secrets()
        self.exchanges: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def clean(self, obj: Any) -> Any:
        """Scrubbed copy of a JSON-like object."""
        return self.secrets.scrub_obj(obj)

    def record(
        self,
        request: httpx.Request,
        response: httpx.Response | None,
        attempts: Iterable[Attempt],
        duration_s: float,
        *,
        events: bool = False,
        error: str | None = None,
    ) -> Exchange:
        """Log a request and (unless it never came) its answer: a read body, or events to be added."""
        entry: dict[str, Any] = {
            "method": request.method,
            "url": redact_url(str(request.url)),
            "request_headers": redact_headers(request.headers),
            "request_body": shorten(_request_body(request)),
            "attempts": [attempt.as_dict() for attempt in attempts],
            "duration_s": round(duration_s, 4),
        }
        if response is not None:
            entry["status"] = response.status_code
            entry["response_headers"] = redact_headers(response.headers)
            if events:
                entry["events"] = []
            else:
                entry["response_body"] = shorten(_body(response.content, response.headers.get("content-type", "")))
        if error is not None:
            entry["error"] = error
        record = self.clean(entry)
        with self._lock:
            self.exchanges.append(record)
        return Exchange(self, record)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"exchanges": [...]}``."""
        with self._lock:
            return {"exchanges": list(self.exchanges)}

    def __len__(self) -> int:
        return len(self.exchanges)
