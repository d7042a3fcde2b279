"""Cleanup: background jobs cancelled first, then responses and files deleted; 404 is fine; failures listed."""

from __future__ import annotations

import httpx
from clientkit import Script, client, json_response, sse_bytes, sse_response

from conformance.client import Budget, CleanupRegistry, Evidence


def created(request: httpx.Request) -> httpx.Response:
    """Create answers with increasing ids; everything else answers 200 ``{}``."""
    if request.method == "POST" and request.url.path.endswith("/responses"):
        created.count += 1  # type: ignore[attr-defined]
        return json_response({"id": f"resp_{created.count}", "object": "response"})  # type: ignore[attr-defined]
    if request.url.path.endswith("/files"):
        return json_response({"id": "file-1", "object": "file"})
    return json_response({})


def test_background_jobs_are_cancelled_first_then_everything_is_deleted() -> None:
    created.count = 0  # type: ignore[attr-defined]
    script = Script(created)
    c = client(script)
    c.create({"input": "a"})
    c.create({"input": "b", "background": True})
    c.upload_file("a.pdf", b"%PDF", "assistants", "application/pdf")
    c.create({"input": "c", "store": False})
    before = len(script.requests)
    assert c.cleanup.pending() == 4
    assert c.cleanup.run() == []
    assert script.lines()[before:] == [
        "POST /v1/responses/resp_2/cancel",
        "DELETE /v1/responses/resp_1",
        "DELETE /v1/responses/resp_2",
        "DELETE /v1/responses/resp_3",
        "DELETE /v1/files/file-1",
    ]
    assert c.cleanup.run() == [] and len(script.requests) == before + 5  # idempotent


def test_what_the_check_deleted_itself_is_forgotten() -> None:
    created.count = 0  # type: ignore[attr-defined]
    script = Script(created)
    c = client(script)
    c.create({})
    c.delete("resp_1")
    c.upload_file("a.txt", b"x", "assistants")
    c.delete_file("file-1")
    assert c.cleanup.pending() == 0


def test_streamed_responses_are_registered_from_their_first_event() -> None:
    event = {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_s", "object": "response"}}
    script = Script(sse_response(sse_bytes([event])), json_response({}))
    c = client(script)
    with c.stream({"input": "hi", "background": True}) as stream:
        stream.read_all()
    c.cleanup.run()
    assert script.lines()[1:] == ["POST /v1/responses/resp_s/cancel", "DELETE /v1/responses/resp_s"]


def test_404_is_tolerated_and_failures_are_reported_one_line_each() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("gone"):
            return json_response({"error": {}}, 404)
        if path.endswith("broken"):
            return json_response({"error": {}}, 500)
        if path.endswith("cancel"):
            return json_response({"error": {}}, 400)  # a failed cancel alone leaves nothing behind
        raise httpx.ConnectError("Connection refused")

    c = client(Script(answer))
    registry = c.cleanup
    registry.add_response(c, "gone")
    registry.add_response(c, "broken")
    registry.add_background(c, "unreachable")
    registry.add_file(c, "file-gone")
    assert registry.run() == [
        "response broken: DELETE returned 500",
        "response unreachable: DELETE failed: TargetUnreachable: DELETE http://target.test/v1/responses/unreachable: "
        "ConnectError: Connection refused",
    ]


def test_no_exception_escapes_and_the_lock_is_reentrant() -> None:
    registry = CleanupRegistry()

    class Exploding:
        def cleanup_call(self, method: str, path: str) -> int:
            with registry._lock:  # as a signal handler on the thread holding the lock would
                raise RuntimeError("boom\nmore")

    registry.add_file(Exploding(), "f")
    with registry._lock:
        assert registry.run() == ["file f: DELETE failed: RuntimeError: boom"]


def test_bound_clients_share_budget_cleanup_and_connections_but_not_evidence() -> None:
    created.count = 0  # type: ignore[attr-defined]
    script = Script(created)
    base = client(script, budget=Budget(max_requests=10))
    first, second = base.bind(Evidence(base.secrets)), base.bind(Evidence(base.secrets))
    first.create({})
    second.delete("resp_1")  # another check deleted it: nothing left to clean up
    assert (len(first.evidence), len(second.evidence), len(base.evidence)) == (1, 1, 0)
    assert base.budget.spent == 2 and base.cleanup.pending() == 0
    second.close()  # a bound client never closes the shared connections
    first.create({})
    assert base.cleanup.pending() == 1
