"""Resilience faults: spec parsing and the ASGI middleware that injects them."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from conformance.reference.faults import Fault, FaultMiddleware, StreamDropped, parse_fault

EVENTS = 6


async def _json(request: Request) -> JSONResponse:
    return JSONResponse({"object": "response"})


async def _stream(request: Request) -> StreamingResponse:
    chunk = int(request.query_params.get("chunk", "0"))

    async def body() -> AsyncIterator[bytes]:
        for number in range(EVENTS):
            event = f'event: e\ndata: {{"n": {number}}}\n\n'.encode()
            for start in range(0, len(event), chunk or len(event)):
                yield event[start : start + (chunk or len(event))]

    return StreamingResponse(body(), media_type="text/event-stream")


APP = Starlette(
    routes=[
        Route("/v1/responses", _json, methods=["GET"]),
        Route("/v1/responses", _stream, methods=["POST"]),
        Route("/openai/files", _json),
        Route("/health", _json),
    ]
)


def _statuses(middleware: FaultMiddleware, path: str, count: int) -> list[int]:
    async def go() -> list[int]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=middleware), base_url="http://t"
        ) as client:
            return [(await client.get(path)).status_code for _ in range(count)]

    return asyncio.run(go())


def _stream_bodies(middleware: FaultMiddleware, count: int, chunk: int = 0) -> list[bytes]:
    transport = httpx.ASGITransport(app=middleware, raise_app_exceptions=False)

    async def go() -> list[bytes]:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return [(await client.post(f"/v1/responses?chunk={chunk}")).content for _ in range(count)]

    return asyncio.run(go())


def _events(body: bytes) -> int:
    return body.count(b"\n\n")


@pytest.mark.parametrize(
    ("spec", "fault"),
    [
        ("latency=200ms", Fault("latency", seconds=0.2)),
        ("latency=0.2", Fault("latency", seconds=0.2)),
        ("latency=1.5s,every:3", Fault("latency", seconds=1.5, every=3)),
        ("rate-limit=0.3", Fault("rate-limit", rate=0.3)),
        ("rate-limit=every:3,retry-after=1", Fault("rate-limit", every=3, retry_after=1)),
        ("rate-limit=every=3,retry-after:7", Fault("rate-limit", every=3, retry_after=7)),
        ("server-error=0.1", Fault("server-error", rate=0.1)),
        ("server-error=every:4", Fault("server-error", every=4)),
        ("drop-stream=every:2,after:5", Fault("drop-stream", every=2, after_events=5)),
        ("drop-stream=1", Fault("drop-stream", rate=1.0, after_events=2)),
    ],
)
def test_specs_parse(spec, fault):
    assert parse_fault(spec) == fault


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "latency",
        "latency=",
        "latency=fast",
        "latency=-1s",
        "explode=0.5",
        "rate-limit=1.5",
        "rate-limit=every:0",
        "rate-limit=every3",
        "rate-limit=0.3,after:2",
        "rate-limit=0.3,every:2",
        "server-error=every:2,every:3",
        "drop-stream=every:2,after:-1",
        "rate-limit=every:2,retry-after=soon",
    ],
)
def test_a_bad_spec_is_a_one_line_value_error(spec):
    with pytest.raises(ValueError, match=r"^bad fault") as caught:
        parse_fault(spec)
    assert "\n" not in str(caught.value)


def test_latency_delays_targeted_paths_only():
    middleware = FaultMiddleware(APP, [parse_fault("latency=150ms")])
    started = time.monotonic()
    assert _statuses(middleware, "/health", 1) == [200]
    assert time.monotonic() - started < 0.1
    started = time.monotonic()
    assert _statuses(middleware, "/v1/responses", 1) == [200]
    assert time.monotonic() - started >= 0.15


def test_rate_limit_on_a_schedule_answers_429_with_retry_after_and_an_envelope():
    middleware = FaultMiddleware(APP, [parse_fault("rate-limit=every:3,retry-after=2")])
    assert _statuses(middleware, "/v1/responses", 6) == [200, 200, 429, 200, 200, 429]

    async def third() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=middleware), base_url="http://t"
        ) as client:
            return [await client.get("/v1/responses") for _ in range(3)][-1]

    response = asyncio.run(third())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == "rate_limit_exceeded"


def test_server_error_answers_503_with_an_envelope_on_files_too():
    middleware = FaultMiddleware(APP, [parse_fault("server-error=every:2")])
    assert _statuses(middleware, "/openai/files", 4) == [200, 503, 200, 503]
    assert _statuses(middleware, "/health", 4) == [200, 200, 200, 200]


def test_rates_are_reproducible_from_the_seed():
    def run(seed: int) -> list[int]:
        return _statuses(
            FaultMiddleware(APP, [parse_fault("rate-limit=0.5")], seed=seed), "/v1/responses", 40
        )

    first = run(7)
    assert first == run(7)
    assert {200, 429} == set(first)
    assert first != run(8)


def test_faults_apply_in_order_and_the_first_error_wins():
    faults = [parse_fault("server-error=every:2"), parse_fault("rate-limit=every:1")]
    assert _statuses(FaultMiddleware(APP, faults), "/v1/responses", 2) == [429, 503]


def test_drop_stream_passes_k_events_then_cuts_the_stream_on_schedule():
    middleware = FaultMiddleware(APP, [parse_fault("drop-stream=every:2,after:3")])
    bodies = _stream_bodies(middleware, 4)
    assert [_events(body) for body in bodies] == [EVENTS, 3, EVENTS, 3]
    assert bodies[1] == bodies[0][: len(bodies[1])]


def test_drop_stream_counts_events_split_across_one_byte_chunks():
    middleware = FaultMiddleware(APP, [parse_fault("drop-stream=1,after:4")])
    (body,) = _stream_bodies(middleware, 1, chunk=1)
    assert _events(body) == 4
    assert body.endswith(b"\n\n")


def test_drop_stream_after_zero_events_sends_only_the_headers():
    middleware = FaultMiddleware(APP, [parse_fault("drop-stream=1,after:0")])
    assert _stream_bodies(middleware, 1) == [b""]


def test_drop_stream_leaves_json_responses_alone_and_raises_out_of_the_app():
    middleware = FaultMiddleware(APP, [parse_fault("drop-stream=every:1,after:1")])
    assert _statuses(middleware, "/v1/responses", 2) == [200, 200]

    async def go() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=middleware), base_url="http://t"
        ) as client:
            await client.post("/v1/responses")

    with pytest.raises(StreamDropped, match="after 1 events"):
        asyncio.run(go())


def test_over_a_real_connection_the_client_sees_a_truncated_stream():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    middleware = FaultMiddleware(APP, [parse_fault("drop-stream=1,after:2")])
    server = uvicorn.Server(uvicorn.Config(middleware, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.005)
    received = b""
    try:
        with httpx.stream("POST", f"http://127.0.0.1:{sock.getsockname()[1]}/v1/responses") as response:
            with pytest.raises(httpx.RemoteProtocolError):
                for chunk in response.iter_raw():
                    received += chunk
    finally:
        server.should_exit = True
        thread.join()
    assert _events(received) == 2
