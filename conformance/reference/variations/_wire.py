"""Legal variations of the wire: SSE comments, ``id:``/``retry:`` fields, CRLF line ends, tiny chunks, gzip
answers and a 429 with Retry-After before the answer."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from itertools import cycle

from sse_starlette import ServerSentEvent
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.reference.variations._base import (
    ADMISSION,
    CHUNKING,
    ENCODING,
    FRAMING,
    LINE_ENDS,
    route_of,
    variation,
)
from conformance.reference.variations._rewrite import Call, Rewrite, parse_block, read_body, replay

WHATWG_SSE = "WHATWG HTML Living Standard, 9.2.6 Interpreting an event stream"
SSE_STARLETTE = (
    "sysid/sse-starlette sse_starlette/sse.py (EventSourceResponse, behind many self-hosted servers)"
)
STREAMS = (
    "streaming.*",
    "resume.*",
    "functions.stream.*",
    "chaining.read_after_write.*",
    "image_generation.stream.*",
)
JSON_ANSWERS = ("lifecycle.*", "errors.*", "store.*", "chaining.*")


def _ping(call: Call, block: bytes) -> bytes:
    stamp = datetime.now(timezone.utc).replace(tzinfo=None)
    return ServerSentEvent(comment=f"ping - {stamp}", sep="\n").encode() + block


variation(
    "sse-comments",
    "Each event of a stream follows a `: ping - <time>` comment block, as sse-starlette's keep-alive pings.",
    source=f"{WHATWG_SSE} (a line starting with a colon is ignored); {SSE_STARLETTE} (_ping); recording "
    "pydantic-ai__test_openai_responses.test_openai_responses_raw_cot_stream_openrouter__1 (`: OPENROUTER "
    "PROCESSING`)",
    affects=STREAMS,
    wrap=lambda app: Rewrite(app, on_block=_ping),
    layer=FRAMING,
)


def _fields(call: Call, block: bytes) -> bytes:
    others, name, data = parse_block(block)
    if data is None:
        return block
    seq = data.get("sequence_number") if isinstance(data, dict) else None
    count = call.state["events"] = call.state.get("events", 0) + 1
    retry = 3000 if count == 1 else None
    lines = [line for line in block.decode("utf-8").splitlines() if line.startswith("data:")]
    text = "\n".join(line[6:] if line.startswith("data: ") else line[5:] for line in lines)
    head = "".join(f"{line}\n" for line in others).encode()
    return (
        head
        + ServerSentEvent(
            text, event=name, id=str(seq if seq is not None else count), retry=retry, sep="\n"
        ).encode()
    )


variation(
    "sse-id-retry",
    "Every event carries an `id:` field (its sequence number) and the first also a `retry:` field.",
    source=f"{WHATWG_SSE} (the id and retry fields); {SSE_STARLETTE} (ServerSentEvent id and retry)",
    affects=STREAMS,
    wrap=lambda app: Rewrite(app, on_block=_fields),
    layer=FRAMING,
)


variation(
    "sse-crlf",
    "Every line of a stream ends with CRLF instead of LF, as sse-starlette writes by default.",
    source=f'{WHATWG_SSE} (lines end with CRLF, LF or CR); {SSE_STARLETTE} (DEFAULT_SEPARATOR = "\\r\\n")',
    affects=STREAMS,
    wrap=lambda app: Rewrite(app, on_block=lambda call, block: block.replace(b"\n", b"\r\n")),
    layer=LINE_ENDS,
)


class _TinyChunks:
    """Sends every event-stream body on in pieces of 1 to 7 bytes, cutting events, lines and characters."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        streaming = False
        sizes = cycle(range(1, 8))

        async def cut(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                media = dict(message.get("headers", [])).get(b"content-type", b"")
                streaming = media.startswith(b"text/event-stream")
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or not streaming or len(body) < 2:
                await send(message)
                return
            start = 0
            while start < len(body):
                end = start + next(sizes)
                last = end >= len(body)
                more = message.get("more_body", False) if last else True
                await send({"type": "http.response.body", "body": body[start:end], "more_body": more})
                start = end

        await self.app(scope, receive, cut)


variation(
    "sse-tiny-chunks",
    "Stream bodies are written in pieces of 1 to 7 bytes, so events, lines and UTF-8 characters arrive cut.",
    source="RFC 9112 section 7.1 (chunk sizes are the sender's choice); STYLE.md 7 and httpx _decoders.py "
    "LineDecoder (a CRLF split across chunks, 1-byte chunks)",
    affects=STREAMS,
    wrap=_TinyChunks,
    layer=CHUNKING,
)


variation(
    "gzip",
    "JSON answers are gzip-encoded (Content-Encoding: gzip) for clients that accept it; streams are not.",
    source="traceloop/openllmetry packages/opentelemetry-instrumentation-openai/tests/traces/cassettes/"
    "test_responses/test_responses.yaml (OpenAI POST /v1/responses answered with Content-Encoding: gzip; "
    "recording openllmetry__test_responses.test_responses__1; its stream test_responses_streaming is not "
    "compressed)",
    affects=JSON_ANSWERS,
    wrap=lambda app: GZipMiddleware(app, minimum_size=0),
    layer=ENCODING,
)


class _RetryAfterOnce:
    """Answers 429 with ``Retry-After`` the first time each distinct create (its path, query and body) is
    seen; its retry, and any identical create after it (a concurrent twin), go through."""

    HEADERS = {"Retry-After": "1", "retry-after-ms": "20"}

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.told: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or route_of(scope["path"]) != "/responses":
            await self.app(scope, receive, send)
            return
        raw = await read_body(receive)
        key = hashlib.sha256(
            b"\0".join(
                (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), raw)
            )
        ).digest()
        if key not in self.told:
            self.told.add(key)
            error = {
                "message": "Rate limit reached; retry after the Retry-After delay.",
                "type": "requests",
                "param": None,
                "code": "rate_limit_exceeded",
            }
            await JSONResponse({"error": error}, 429, headers=self.HEADERS)(scope, receive, send)
            return
        await self.app(scope, replay(raw, receive), send)


variation(
    "rate-limit-retry-after",
    "A create is answered 429 with Retry-After (and retry-after-ms) the first time it is sent, as token rate "
    "limits answer; the client's retry succeeds.",
    source="openai-openapi.yaml createResponse (429 TooManyRequests); Azure answers 429 with Retry-After "
    "(https://github.com/icereed/paperless-gpt/issues/814); retry-after-ms as Azure SDKs read it "
    "(@azure/core-rest-pipeline throttlingRetryStrategy)",
    affects=(*JSON_ANSWERS, "background.*", "streaming.text.*"),
    wrap=_RetryAfterOnce,
    layer=ADMISSION,
)
