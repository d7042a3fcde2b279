"""What reaches a cassette: allow-listed headers, no secret, placeholder hosts; the same rules make match keys."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

from conformance.client import Secrets
from conformance.client._redact import REDACTED, redact_headers, redact_json, redact_url

RESOURCE_PLACEHOLDER = "https://resource.invalid"
MCP_PLACEHOLDER = "https://mcp.invalid"
COMPACT_BYTES = 64 * 1024  # request bodies above this are stored as their digest (32 MB uploads)
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_BOUNDARY = re.compile(r"boundary=\"?([^\";]+)\"?")

Headers = dict[str, list[str]]


class Scrubber:
    """Scrubs one cell's traffic: its secrets, and its endpoint and MCP hosts swapped for placeholders."""

    def __init__(self, secrets: Secrets, origins: Mapping[str, str]) -> None:
        self.secrets = secrets
        self._hide: list[tuple[str, str]] = []
        self._show: list[tuple[str, str]] = []
        for real, placeholder in origins.items():
            real_net, fake_net = urlsplit(real).netloc, urlsplit(placeholder).netloc
            self._hide += [(real, placeholder), (real_net, fake_net)]
            self._show += [(placeholder, real), (fake_net, real_net)]

    def text(self, text: str) -> str:
        """``text`` with secrets and credential URL parameters redacted, and real hosts replaced by placeholders."""
        text = self.secrets.scrub(redact_json(text))
        for real, fake in self._hide:
            if real:
                text = text.replace(real, fake)
        return text

    def restore(self, text: str) -> str:
        """A recorded text with the placeholders mapped back to this cell's hosts."""
        for fake, real in self._show:
            if fake:
                text = text.replace(fake, real)
        return text

    def uri(self, url: str) -> str:
        """The URL without credential query parameters, its host replaced."""
        return self.text(redact_url(url))

    def request_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """The allow-listed request headers (secret ones as ``<redacted>``), multipart boundary fixed."""
        shown = redact_headers(headers).items()
        return {name: _BOUNDARY.sub("boundary=BOUNDARY", self.text(value)) for name, value in shown}

    def request_body(self, body: bytes, content_type: str) -> str:
        """The request body as stored and matched: JSON redacted with sorted keys; large bodies as a digest."""
        found = _BOUNDARY.search(content_type)
        if found:
            body = body.replace(found.group(1).encode(), b"BOUNDARY")
        if len(body) > COMPACT_BYTES:
            return f"sha256:{hashlib.sha256(body).hexdigest()} ({len(body)} bytes)"
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            return self.text(body.decode("utf-8", "replace"))
        return self.text(orjson.dumps(redact(value), option=orjson.OPT_SORT_KEYS).decode())

    def response_headers(self, headers: Mapping[str, str], length: int) -> Headers:
        """The allow-listed response headers with ``content-length`` set to the scrubbed body's length."""
        shown = {name: [self.text(value)] for name, value in redact_headers(headers).items()}
        shown["content-length"] = [str(length)]
        return shown

    def response_body(self, body: bytes, content_type: str) -> bytes:
        """The response body scrubbed: SSE line by line, JSON by value, other text as text; bytes kept as is."""
        if "text/event-stream" in content_type:
            return b"".join(self._sse_line(line) for line in _LINE.findall(body))
        return self._payload(body)

    def _sse_line(self, line: bytes) -> bytes:
        if not line.startswith(b"data:"):
            return self._payload(line)
        content = line[5:].rstrip(b"\r\n")
        end = line[5 + len(content):]
        return b"data:" + self._payload(content) + end

    def _payload(self, raw: bytes) -> bytes:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
        try:
            value: Any = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict | list):
            redacted = redact(value)
            if redacted != value:
                text = (" " if raw.startswith(b" ") else "") + orjson.dumps(redacted).decode()
        return self.text(text).encode()


def redact(value: Any) -> Any:
    """``redact_json``, except that MCP tool headers keep their shape: each value becomes ``<redacted>``."""
    if isinstance(value, list):
        return [redact(item) for item in value]
    if not isinstance(value, dict):
        return redact_json(value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "headers" and value.get("type") == "mcp" and isinstance(item, dict):
            out[key] = dict.fromkeys(item, REDACTED)
        elif isinstance(item, dict | list):
            out[key] = redact(item)
        else:
            out[key] = redact_json({key: item})[key]
    return out
