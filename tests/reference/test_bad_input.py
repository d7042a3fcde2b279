"""Bad input never gets a 500 or a traceback: always a 4xx with the full error envelope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from refkit import KEY, Ref

BAD_BODIES: list[tuple[str, Any, str | None]] = [
    ("not an object", [1, 2], None),
    ("string body", "hello", None),
    ("missing model", {"input": "hi"}, "model"),
    ("model wrong type", {"model": 5, "input": "hi"}, "model"),
    ("model empty", {"model": " ", "input": "hi"}, "model"),
    ("input wrong type", {"model": "m", "input": 5}, "input"),
    ("temperature string", {"model": "m", "input": "hi", "temperature": "hot"}, "temperature"),
    ("stream not bool", {"model": "m", "input": "hi", "stream": "yes"}, "stream"),
    ("temperature on a reasoning model", {"model": "o4-mini", "input": "hi", "temperature": 0.5}, "temperature"),
    ("top_p on a reasoning model", {"model": "o3-2025-04-16", "input": "hi", "top_p": 0.5}, "top_p"),
    ("tools not a list", {"model": "m", "input": "hi", "tools": {"type": "function"}}, "tools"),
    ("unknown top-level field", {"model": "m", "input": "hi", "bogus": 1}, "bogus"),
    ("unknown nested field", {"model": "m", "input": "hi", "text": {"format": {"type": "text"}, "colour": 1}}, "text.colour"),
    ("max_output_tokens too small", {"model": "m", "input": "hi", "max_output_tokens": 3}, "max_output_tokens"),
    ("metadata value not a string", {"model": "m", "input": "hi", "metadata": {"a": 1}}, "metadata.a"),
    ("unknown previous response", {"model": "m", "input": "hi", "previous_response_id": "resp_nope"}, "previous_response_id"),
    ("partial_images out of range", {"model": "m", "input": "hi", "tools": [{"type": "image_generation", "partial_images": 7}]}, "tools[0].partial_images"),
    ("required without tools", {"model": "m", "input": "hi", "tool_choice": "required"}, "tool_choice"),
    ("forced unknown function", {"model": "m", "input": "hi", "tool_choice": {"type": "function", "name": "f"}}, "tool_choice"),
    ("approval for nothing", {"model": "m", "input": [{"type": "mcp_approval_response", "approve": True, "approval_request_id": "mcpr_x"}]}, "input[0].approval_request_id"),
]


@pytest.mark.parametrize(("body", "param"), [(b, p) for _, b, p in BAD_BODIES], ids=[d for d, _, _ in BAD_BODIES])
def test_bad_bodies_are_400_with_param(oa: Ref, body: Any, param: str | None) -> None:
    error = oa.error(oa.request("POST", "/responses", json=body), 400)
    assert error["param"] == param, error
    assert error["type"] == "invalid_request_error" and error["message"]


@pytest.mark.parametrize("raw", [b"", b"{", b"{'model': 'x'}", b"\xff\xfe", b"null", b'{"model": "m",}'])
def test_malformed_json_is_400(oa: Ref, raw: bytes) -> None:
    response = oa.request("POST", "/responses", content=raw, headers={"content-type": "application/json"})
    assert oa.error(response, 400)["code"] in ("invalid_json",)


def test_oversized_body_is_413(openai_server: Any) -> None:
    from refkit import start

    small = start("openai", max_body_bytes=1000)
    try:
        response = httpx.post(small.url + "/v1/responses", json={"model": "m", "input": "x" * 2000}, headers={"api-key": KEY})
        assert response.status_code == 413 and response.json()["error"]["code"] == "request_too_large"
        chunked = httpx.post(
            small.url + "/v1/responses", content=iter([b'{"model": "m", "input": "', b"x" * 2000, b'"}']), headers={"api-key": KEY}
        )
        assert chunked.status_code == 413
    finally:
        small.stop()


def test_multipart_without_file_is_400(oa: Ref) -> None:
    response = oa.request("POST", "/files", data={"purpose": "assistants"}, files={"other": ("x", b"1")})
    assert oa.error(response, 400)["param"] == "file"
    assert oa.error(oa.request("POST", "/files", json={"purpose": "x"}), 400)["param"] == "file"
