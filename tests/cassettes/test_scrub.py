"""What reaches a cassette: SSE scrubbed line by line, content-length fixed, MCP headers masked, big bodies hashed."""

from __future__ import annotations

import orjson

from conformance.cassettes._scrub import COMPACT_BYTES, MCP_PLACEHOLDER, RESOURCE_PLACEHOLDER, Scrubber
from conformance.client import Secrets

KEY = "sk-planted-key-0001"
HOST = "http://127.0.0.1:4567"


def scrubber() -> Scrubber:
    return Scrubber(Secrets([KEY]), {HOST: RESOURCE_PLACEHOLDER, "http://127.0.0.1:9999": MCP_PLACEHOLDER})


def test_sse_is_scrubbed_line_by_line_keeping_every_line_ending_and_u2028() -> None:
    body = (
        b"event: response.output_text.delta\r\n"
        + b'data: {"delta":"a\xe2\x80\xa8b ' + KEY.encode() + b'","url":"' + HOST.encode() + b'/x"}\r\n\r\n'
        + b'data: {"tools":[{"type":"mcp","headers":{"Authorization":"Bearer t0ken-xyz"}}]}\n\n'
    )
    out = scrubber().response_body(body, "text/event-stream; charset=utf-8")
    assert KEY.encode() not in out and HOST.encode() not in out and b"t0ken-xyz" not in out
    assert out.count(b"\r\n") == body.count(b"\r\n") and out.count(b"\n") == body.count(b"\n")
    assert "a\u2028b".encode() in out and RESOURCE_PLACEHOLDER.encode() + b"/x" in out
    assert b'"headers":{"Authorization":"<redacted>"}' in out


def test_content_length_is_the_scrubbed_length_and_only_allowed_headers_stay() -> None:
    headers = scrubber().response_headers({"Content-Type": "application/json", "Set-Cookie": "s=1", "x-request-id": "r1"}, 42)
    assert headers == {"content-length": ["42"], "content-type": ["application/json"], "x-request-id": ["r1"]}


def test_a_request_is_stored_without_secrets_and_with_its_json_keys_sorted() -> None:
    s = scrubber()
    assert s.uri(f"{HOST}/openai/v1/responses?api-version=preview&api-key={KEY}&sig=abc") == (
        f"{RESOURCE_PLACEHOLDER}/openai/v1/responses?api-version=preview"
    )
    body = {"z": 1, "tools": [{"type": "mcp", "server_url": "http://127.0.0.1:9999/mcp", "headers": {"X": "v4lue"}}]}
    stored = s.request_body(orjson.dumps(body), "application/json")
    assert orjson.loads(stored) == {"tools": [{"type": "mcp", "server_url": f"{MCP_PLACEHOLDER}/mcp", "headers": {"X": "<redacted>"}}], "z": 1}
    assert stored.index('"tools"') < stored.index('"z"')
    assert s.request_headers({"api-key": KEY, "Content-Type": "multipart/form-data; boundary=abc123"}) == {
        "api-key": "<redacted>", "content-type": "multipart/form-data; boundary=BOUNDARY",
    }


def test_large_and_multipart_bodies_match_whatever_their_boundary() -> None:
    s = scrubber()
    first = s.request_body(b"--b1\r\n" + b"x" * COMPACT_BYTES + b"\r\n--b1--", "multipart/form-data; boundary=b1")
    second = s.request_body(b"--b2\r\n" + b"x" * COMPACT_BYTES + b"\r\n--b2--", "multipart/form-data; boundary=b2")
    size = len(b"--BOUNDARY\r\n\r\n--BOUNDARY--") + COMPACT_BYTES
    assert first == second and first.startswith("sha256:") and first.endswith(f"({size} bytes)")


def test_placeholders_map_back_to_the_cell_hosts() -> None:
    s = scrubber()
    assert s.restore(s.text(f"see {HOST}/v1/files/f1")) == f"see {HOST}/v1/files/f1"
