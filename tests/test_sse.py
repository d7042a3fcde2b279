"""The SSE decoder: lines split only on CR, LF and CRLF, found in the bytes, however the chunks fall."""

from __future__ import annotations

import json

import pytest

from conformance.contract.sse import (
    LineDecoder,
    ServerSentEvent,
    SSEDecoder,
    iter_sse,
    looks_like_sse,
    parse_sse,
)

DELTA = {"type": "response.output_text.delta", "delta": "a\u2028b\u2029c\x85d"}
RAW = json.dumps(DELTA, ensure_ascii=False)
TRANSCRIPT = (
    ": a comment\r\n"
    "event: response.output_text.delta\r\n"
    f"data: {RAW}\r\n"
    "\r\n"
    "event: two\r"
    "data: first\r"
    "data: second\r"
    "\r"
    "id: 7\n"
    "retry: 1500\n"
    "data:no space\n"
    "\n"
).encode()
EXPECTED = [
    ServerSentEvent(RAW, "response.output_text.delta"),
    ServerSentEvent("first\nsecond", "two"),
    ServerSentEvent("no space", None, "7", 1500),
]


def chunks(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(TRANSCRIPT)])
def test_any_chunking_gives_the_same_events(size: int) -> None:
    assert list(iter_sse(chunks(TRANSCRIPT, size))) == EXPECTED


def test_raw_u2028_stays_inside_the_json() -> None:
    (event,) = parse_sse(f"data: {RAW}\n\n".encode())
    assert json.loads(event.data) == DELTA


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    decoder = LineDecoder()
    assert decoder.feed(b"data: a\r") == [b"data: a"]
    assert decoder.feed(b"\ndata: b\r\n") == [b"data: b"]
    assert decoder.feed(b"\r\n") == [b""]


def test_cr_only_line_ends() -> None:
    assert parse_sse(b"data: a\r\rdata: b\r\r") == [ServerSentEvent("a"), ServerSentEvent("b")]


def test_multibyte_character_split_across_chunks() -> None:
    data = f"data: {RAW}\n\n".encode()
    cut = data.index("\u2028".encode()) + 1
    assert list(iter_sse([data[:cut], data[cut:]])) == [ServerSentEvent(RAW)]


def test_comments_and_unknown_fields_are_ignored() -> None:
    assert parse_sse(b": keep-alive\n\nfoo: bar\ndata: x\n\n") == [ServerSentEvent("x")]


def test_an_event_without_a_blank_line_at_the_end_is_still_returned() -> None:
    assert parse_sse("event: response.completed\ndata: {}") == [ServerSentEvent("{}", "response.completed")]


def test_id_persists_and_retry_must_be_digits() -> None:
    events = parse_sse(b"id: 1\ndata: a\n\nretry: soon\ndata: b\n\n")
    assert [(e.id, e.retry) for e in events] == [("1", None), ("1", None)]


def test_blank_lines_alone_dispatch_nothing() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"\n\n\r\n") == []
    assert decoder.close() == []


def test_done_sentinel_is_plain_data() -> None:
    assert parse_sse(b"data: [DONE]\n\n") == [ServerSentEvent("[DONE]")]


def test_looks_like_sse() -> None:
    assert looks_like_sse(b"\xef\xbb\xbfevent: x\n")
    assert looks_like_sse(": comment\n")
    assert not looks_like_sse(b'{"object": "response"}')


def test_a_leading_byte_order_mark_is_ignored() -> None:
    assert parse_sse(b"\xef\xbb\xbfdata: x\n\n") == [ServerSentEvent("x")]
    assert list(iter_sse([b"\xef", b"\xbb\xbfda", b"ta: x\n\n"])) == [ServerSentEvent("x")]
    assert parse_sse(b"data: x\n\n\xef\xbb\xbfdata: y\n\n") == [ServerSentEvent("x")]
