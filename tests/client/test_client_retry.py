"""Retries: 429 and 503 only, honouring Retry-After / retry-after-ms, bounded, every attempt in the evidence."""

from __future__ import annotations

import email.utils

import httpx
import pytest
from clientkit import KEY, Script, client, json_response

from conformance.checks import HarnessError
from conformance.client import RateLimited, RetryPolicy, TargetUnreachable
from conformance.client._retry import retry_after

OK = json_response({"id": "r", "object": "response"})


def attempts(c: object) -> list[dict[str, object]]:
    return c.evidence.exchanges[-1]["attempts"]  # type: ignore[attr-defined, no-any-return]


def test_429_waits_as_told_then_succeeds() -> None:
    waits: list[float] = []
    script = Script(json_response({}, 429, {"retry-after": "2"}), OK)
    c = client(script, retry=RetryPolicy(sleep=waits.append))
    assert c.create({}).status_code == 200
    assert waits == [2.0]
    assert attempts(c) == [{"status": 429, "wait_s": 2.0}, {"status": 200, "wait_s": None}]


def test_retry_after_ms_is_preferred() -> None:
    waits: list[float] = []
    script = Script(json_response({}, 503, {"retry-after-ms": "250", "retry-after": "9"}), OK)
    client(script, retry=RetryPolicy(sleep=waits.append)).create({})
    assert waits == [0.25]


def test_retry_after_as_an_http_date() -> None:
    now = 1_800_000_000.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert retry_after({"retry-after": date}, now) == 7.0
    assert retry_after({"retry-after": email.utils.formatdate(now - 7, usegmt=True)}, now) == 0.0
    assert retry_after({"retry-after": "soon"}, now) is None


def test_503_is_retried_at_most_max_attempts_and_then_returned() -> None:
    waits: list[float] = []
    script = Script(json_response({"error": {}}, 503, {"retry-after": "1"}))
    c = client(script, retry=RetryPolicy(sleep=waits.append))
    assert c.create({}).status_code == 503  # a 5xx is a finding for the check, not a harness error
    assert len(script.requests) == 3 and waits == [1.0, 1.0]
    assert [a["status"] for a in attempts(c)] == [503, 503, 503]


def test_429_after_the_retries_is_a_harness_error_with_its_attempts_recorded() -> None:
    script = Script(json_response({}, 429, {"retry-after": "1"}))
    c = client(script)
    with pytest.raises(RateLimited, match="429") as info:
        c.create({})
    assert isinstance(info.value, HarnessError)
    assert [a["status"] for a in attempts(c)] == [429, 429, 429]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_other_5xx_are_never_retried(status: int) -> None:
    script = Script(json_response({"error": {}}, status), OK)
    c = client(script)
    assert c.create({}).status_code == status
    assert len(script.requests) == 1 and attempts(c) == [{"status": status, "wait_s": None}]


def test_a_wait_longer_than_max_wait_ends_the_retries() -> None:
    waits: list[float] = []
    script = Script(json_response({}, 503, {"retry-after": "120"}), OK)
    assert client(script, retry=RetryPolicy(sleep=waits.append, max_wait=30)).create({}).status_code == 503
    assert waits == []


def test_without_retry_after_the_wait_doubles() -> None:
    waits: list[float] = []
    script = Script(json_response({}, 503))
    client(script, retry=RetryPolicy(max_attempts=4, sleep=waits.append)).create({})
    assert waits == [1.0, 2.0, 4.0]


def test_streams_are_retried_too() -> None:
    waits: list[float] = []
    events = b'data: {"type":"response.created","sequence_number":0,"response":{"id":"r"}}\n\n'
    sse = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=events)
    script = Script(json_response({}, 429, {"retry-after": "0"}), sse)
    stream = client(script, retry=RetryPolicy(sleep=waits.append)).stream({})
    assert [e.data for e in stream.read_all()] and waits == [0.0]


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("Connection refused"), httpx.ReadTimeout("timed out\nsecond line")],
    ids=["connect", "timeout"],
)
def test_network_errors_are_one_line_harness_errors_without_secrets(error: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    c = client(Script(fail), "azure-v1", f"https://u:{KEY}@r.openai.azure.com")
    with pytest.raises(TargetUnreachable) as info:
        c.raw("GET", "/responses/r", params={"api-key": KEY})
    message = str(info.value)
    assert "\n" not in message and KEY not in message and "r.openai.azure.com" in message
    assert c.evidence.exchanges[0]["error"] == message and "status" not in c.evidence.exchanges[0]


def test_invalid_policy() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
