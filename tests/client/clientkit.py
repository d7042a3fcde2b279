"""Test helpers for the client: a scripted ``httpx.MockTransport`` that records every request it gets."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx

from conformance.client import ApiKeyAuth, ResponsesClient, RetryPolicy, Target

KEY = "sk-planted-secret-0123456789"
Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Script:
    """Answers requests in order (the last answer repeats); ``requests`` holds what was sent."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers) or [json_response({"id": "resp_1", "object": "response"})]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        content = request.read()  # a snapshot: auth flows re-send the same request object with new headers
        self.requests.append(httpx.Request(request.method, request.url, headers=request.headers.copy(), content=content))
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        return answer(request) if callable(answer) else answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def bodies(self) -> list[Any]:
        """The JSON bodies sent, in order."""
        return [json.loads(r.content) if r.content else None for r in self.requests]

    def lines(self) -> list[str]:
        """``METHOD path?query`` of every request."""
        return [f"{r.method} {r.url.raw_path.decode()}" for r in self.requests]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def sse_bytes(events: Iterable[dict[str, Any]]) -> bytes:
    """An SSE transcript with ``event:`` names and raw (non-ASCII-escaped) JSON data."""
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events
    )


def chunked(data: bytes, size: int = 1, log: list[int] | None = None) -> Iterator[bytes]:
    """``data`` in chunks of ``size`` bytes; ``log`` gets the offset of each chunk handed out."""
    for start in range(0, len(data), size):
        if log is not None:
            log.append(start)
        yield data[start : start + size]


def sse_response(body: bytes | Iterator[bytes], status: int = 200) -> httpx.Response:
    return httpx.Response(status, headers={"content-type": "text/event-stream"}, content=body)


def no_sleep(log: list[float] | None = None) -> RetryPolicy:
    """The default retry policy with a fake sleep that records its waits."""
    waits = log if log is not None else []
    return RetryPolicy(sleep=waits.append)


def client(
    script: Script,
    style: str = "openai",
    endpoint: str = "http://target.test",
    **options: Any,
) -> ResponsesClient:
    """A client of ``script`` through a MockTransport, api-key auth with the planted KEY, fake sleep."""
    target_options = {k: options.pop(k) for k in ("auth", "api_version", "extra_headers", "model") if k in options}
    target_options.setdefault("auth", ApiKeyAuth(KEY))
    target_options.setdefault("model", "gpt-4o")
    target = Target(endpoint, style, **target_options)  # type: ignore[arg-type]
    options.setdefault("retry", no_sleep())
    return ResponsesClient(target, transport=script.transport, **options)
