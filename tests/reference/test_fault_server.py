"""Faults mounted in the server: 429 with Retry-After, 503, and a dropped stream the client can resume."""

from __future__ import annotations

import httpx
import orjson
import pytest
from refkit import KEY, Ref, events, start

from conformance.contract.sse import SSEDecoder
from conformance.reference.faults import parse_fault


def test_rate_limit_and_server_error_faults() -> None:
    server = start("openai", faults=[parse_fault("rate-limit=every:2,retry-after=3"), parse_fault("server-error=every:3")])
    try:
        ref = Ref(server)
        statuses = [ref.create({"model": "m", "input": "hi"}) for _ in range(6)]
        codes = [r.status_code for r in statuses]
        assert 429 in codes and 503 in codes and 200 in codes
        limited = next(r for r in statuses if r.status_code == 429)
        assert limited.headers["retry-after"] == "3"
        assert ref.error(limited, 429)["code"] == "rate_limit_exceeded"
    finally:
        server.stop()


def test_dropped_stream_is_resumed_from_the_log() -> None:
    server = start("openai", faults=[parse_fault("drop-stream=every:2,after:5")])
    try:
        ref = Ref(server)
        body = {"model": "m", "input": "Count to 30", "stream": True}
        complete = events(ref.create(body))
        decoder = SSEDecoder()
        received = []
        with pytest.raises(httpx.HTTPError), httpx.stream(  # the drop happens while reading
            "POST", server.url + "/v1/responses", json=body, headers={"api-key": KEY}
        ) as response:
            for chunk in response.iter_bytes():
                received += [orjson.loads(e.data) for e in decoder.feed(chunk)]
        assert [e["sequence_number"] for e in received] == [0, 1, 2, 3, 4]
        rid = received[0]["response"]["id"]
        rest = events(ref.request("GET", f"/responses/{rid}", params={"stream": "true", "starting_after": 4}))
        assert [e["type"] for e in received + rest] == [e["type"] for e in complete]
        assert rest[-1]["type"] == "response.completed"
    finally:
        server.stop()
