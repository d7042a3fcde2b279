"""Background mode: queued -> in_progress -> terminal, store rules, cancel semantics, resumable streams."""

from __future__ import annotations

import time
from typing import Any

import orjson
from refkit import Ref, events, text_of


def _wait(ref: Ref, rid: str, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = ref.request("GET", f"/responses/{rid}").json()
        if body["status"] not in ("queued", "in_progress") or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def test_background_lifecycle(ref: Ref) -> None:
    created = ref.ok({"model": "o3", "input": "Say done", "background": True})
    assert created["status"] == "queued" and created["background"] is True
    seen = {created["status"]}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        status = ref.request("GET", f"/responses/{created['id']}").json()["status"]
        seen.add(status)
        if status == "completed":
            break
        time.sleep(0.01)
    assert seen == {"queued", "in_progress", "completed"}
    assert text_of(_wait(ref, created["id"])) == "done"


def test_background_requires_store(ref: Ref) -> None:
    error = ref.error(ref.create({"model": "o3", "input": "hi", "background": True, "store": False}), 400)
    assert error["param"] == "background"


def test_cancel_is_idempotent_and_final(ref: Ref) -> None:
    rid = ref.ok({"model": "o3", "input": "Write a long essay", "background": True})["id"]
    first = ref.request("POST", f"/responses/{rid}/cancel").json()
    assert first["status"] == "cancelled"
    assert ref.request("POST", f"/responses/{rid}/cancel").json() == first
    time.sleep(0.3)
    assert ref.request("GET", f"/responses/{rid}").json() == first


def test_cancel_of_foreground_is_400_and_unknown_is_404(ref: Ref) -> None:
    rid = ref.ok({"model": "gpt-4o-mini", "input": "hi"})["id"]
    ref.error(ref.request("POST", f"/responses/{rid}/cancel"), 400)
    ref.error(ref.request("POST", "/responses/resp_unknown/cancel"), 404)


def test_cancel_of_a_finished_background_response_returns_it(oa: Ref) -> None:
    rid = oa.ok({"model": "gpt-4o-mini", "input": "hi", "background": True})["id"]
    final = _wait(oa, rid)
    assert oa.request("POST", f"/responses/{rid}/cancel").json() == final


def test_background_stream_resumes_from_any_sequence_number(ref: Ref) -> None:
    stream = ref.stream({"model": "o3", "input": "Count to 25", "background": True, "reasoning": {"summary": "auto"}})
    types = [e["type"] for e in stream]
    assert types[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert "keepalive" not in types  # no recorded Azure stream carries one: only the keepalive fault
    assert stream[-1]["type"] == "response.completed"
    rid = stream[0]["response"]["id"]
    for n in range(0, len(stream) - 1, 7):
        resumed = ref.request("GET", f"/responses/{rid}", params={"stream": "true", "starting_after": n})
        assert events(resumed) == stream[n + 1 :]


def test_resume_while_running_follows_to_the_end(oa: Ref) -> None:
    rid = oa.ok({"model": "gpt-4o-mini", "input": "Count to 10", "background": True, "stream": False})["id"]
    oa.error(oa.request("GET", f"/responses/{rid}", params={"stream": "true"}), 400)
    streamed = oa.create({"model": "gpt-4o-mini", "input": "Count to 10", "background": True, "stream": True})
    rid = events(streamed)[0]["response"]["id"]
    live = oa.request("GET", f"/responses/{rid}", params={"stream": "true", "starting_after": 1})
    assert events(live)[-1]["type"] == "response.completed"


def test_deleting_a_running_job_stops_it(oa: Ref) -> None:
    rid = oa.ok({"model": "gpt-4o-mini", "input": "hi", "background": True})["id"]
    assert oa.request("DELETE", f"/responses/{rid}").json()["deleted"] is True
    time.sleep(0.3)
    oa.error(oa.request("GET", f"/responses/{rid}"), 404)


def test_cancel_ends_a_live_background_stream(oa: Ref) -> None:
    body = {"model": "gpt-4o-mini", "input": "Say slow", "background": True, "stream": True}
    with oa.http.stream("POST", "/responses", json=body) as live:
        chunks = live.iter_bytes()
        head = next(chunks)
        rid = orjson.loads(head.split(b"data: ", 1)[1].split(b"\n", 1)[0])["response"]["id"]
        assert oa.request("POST", f"/responses/{rid}/cancel").json()["status"] == "cancelled"
        rest = b"".join(chunks)
    # The contract has no terminal event for a cancelled response: the stream simply ends.
    assert b"response.completed" not in head + rest
