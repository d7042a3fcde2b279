"""The event stream: events yielded as their bytes arrive, split only on CR/LF, disconnect after K, resume."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from clientkit import Script, chunked, client, json_response, sse_bytes, sse_response

from conformance.client import StreamInterrupted

RID = "resp_abc"
DELTA = "line\u2028sep\u2029para\x85nel \U0001f600"


def events(n: int = 6) -> list[dict[str, object]]:
    created = {"type": "response.created", "sequence_number": 0, "response": {"id": RID, "object": "response"}}
    deltas = [
        {"type": "response.output_text.delta", "sequence_number": i, "delta": DELTA} for i in range(1, n - 1)
    ]
    done = {"type": "response.completed", "sequence_number": n - 1, "response": {"id": RID, "object": "response"}}
    return [created, *deltas, done]


def test_one_byte_chunks_with_raw_u2028_and_crlf_split_across_chunks() -> None:
    raw = sse_bytes(events()).replace(b"\n", b"\r\n")
    assert "\u2028".encode() in raw  # raw, not escaped as \\u2028
    script = Script(sse_response(chunked(raw, 1)))
    stream = client(script).stream({"input": "hi"})
    read = stream.read_all()
    assert [json.loads(e.data) for e in read] == events()
    assert stream.payloads[1]["delta"] == DELTA
    assert [e.event for e in read][:2] == ["response.created", "response.output_text.delta"]


def test_events_are_yielded_as_they_arrive() -> None:
    raw = sse_bytes(events())
    handed: list[int] = []
    stream = client(Script(sse_response(chunked(raw, 7, handed)))).stream({})
    first = next(iter(stream))
    assert json.loads(first.data)["type"] == "response.created"
    assert handed[-1] < len(raw) // 2  # the rest of the body was not read yet


def test_read_until_disconnects_after_k_events() -> None:
    raw = sse_bytes(events(20))
    handed: list[int] = []
    body = sse_response(chunked(raw, 16, handed))
    stream = client(Script(body)).stream({})
    assert len(stream.read_until(3)) == 3
    assert stream.closed and body.is_closed
    assert handed[-1] < len(raw) // 2
    assert stream.last_sequence_number == 2 and stream.response_id == RID


def test_resume_opens_the_stream_after_the_last_number_read() -> None:
    all_events = events(10)
    script = Script(
        sse_response(sse_bytes(all_events)),
        sse_response(sse_bytes(all_events[4:])),
    )
    c = client(script, "azure-v1")
    stream = c.stream({"background": True})
    stream.read_until(4)
    rest = stream.resume().read_all()
    assert script.lines()[1] == (
        f"GET /openai/v1/responses/{RID}?api-version=preview&stream=true&starting_after=3"
    )
    assert [json.loads(e.data)["sequence_number"] for e in rest] == list(range(4, 10))


def test_resume_needs_something_read() -> None:
    stream = client(Script(sse_response(b""))).stream({})
    with pytest.raises(ValueError, match="cannot resume"):
        stream.resume()


def test_an_error_answer_is_read_at_once() -> None:
    error = {"error": {"message": "bad", "type": "invalid_request_error", "param": "input", "code": None}}
    c = client(Script(json_response(error, 400)))
    stream = c.stream({})
    assert (stream.ok, stream.status_code, stream.body, stream.read_all()) == (False, 400, error, [])
    assert c.evidence.exchanges[0]["response_body"] == error


def test_a_broken_connection_raises_and_keeps_what_was_read() -> None:
    raw = sse_bytes(events())

    def broken() -> Iterator[bytes]:
        yield raw[: raw.index(b"\n\n", raw.index(b"\n\n") + 2) + 2]  # two whole events
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    c = client(Script(sse_response(broken())))
    stream = c.stream({})
    with pytest.raises(StreamInterrupted, match="after 2 events"):
        stream.read_all()
    assert len(stream.events) == 2 and stream.closed
    assert c.evidence.exchanges[0]["error"].startswith("RemoteProtocolError")


def test_evidence_holds_each_event_parsed_with_its_sequence_number() -> None:
    c = client(Script(sse_response(sse_bytes(events(4)) + b"data: [DONE]\n\n")))
    with c.stream({}) as stream:
        stream.read_all()
    logged = c.evidence.exchanges[0]
    assert logged["status"] == 200 and "response_body" not in logged
    assert [e["data"]["sequence_number"] for e in logged["events"][:4]] == [0, 1, 2, 3]
    assert logged["events"][1] == {"event": "response.output_text.delta", "data": events(4)[1]}
    assert logged["events"][-1] == {"event": None, "data": "[DONE]"}
    assert stream.json() == events(4)
