"""End to end against the reference server on 127.0.0.1, in each URL style; nothing is left behind.

The client is synchronous and ``httpx.ASGITransport`` is async-only, so the server runs in a thread
(uvicorn on a free loopback port) rather than in the client's transport.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from clientkit import KEY

from conformance.client import ApiKeyAuth, Budget, ResponsesClient, RetryPolicy, StreamInterrupted, Target

reference = pytest.importorskip("conformance.reference.server", reason="the reference server is not built yet")
config = pytest.importorskip("conformance.reference.config")
faults = pytest.importorskip("conformance.reference.faults")

STYLES = ["azure-v1", "azure-deployments", "openai"]


def _start(flavor: str, **settings: object) -> reference.ServerHandle:  # type: ignore[name-defined]
    options = {"api_key": KEY, "think_time": 0.1, "keepalive_interval": 0.05, **settings}
    return reference.start_server(config.ServerConfig(flavor=flavor, **options))


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """An Azure-flavour and an OpenAI-flavour server: base URLs by API style."""
    azure, openai = _start("azure"), _start("openai")
    yield {"azure-v1": azure.url, "azure-deployments": azure.url, "openai": openai.url}
    azure.stop()
    openai.stop()


@pytest.fixture(params=STYLES)
def c(request: pytest.FixtureRequest, servers: dict[str, str]) -> Iterator[ResponsesClient]:
    """A client of the reference server in one URL style."""
    target = Target(servers[request.param], request.param, model="gpt-4o", auth=ApiKeyAuth(KEY))
    with ResponsesClient(target, budget=Budget(max_requests=200)) as client:
        yield client


def test_lifecycle_stream_resume_files_and_cleanup(c: ResponsesClient) -> None:
    created = c.create({"input": "Say hello."})
    assert created.ok and created.body["status"] == "completed"
    assert c.retrieve(created.body["id"]).body == created.body

    with c.stream({"input": "Say hello."}) as stream:
        stream.read_all()
    assert stream.payloads[-1]["type"] == "response.completed"
    assert [e["sequence_number"] for e in stream.json()] == list(range(len(stream.events)))

    background = c.stream({"input": "Tell a long story.", "background": True})
    background.read_until(3)
    rest = background.resume()
    rest.read_all()
    whole = c.retrieve_stream(background.response_id or "")
    whole.read_all()
    assert [e["sequence_number"] for e in background.json()] == [0, 1, 2]
    assert rest.json()[0]["sequence_number"] == 3
    assert background.json() + rest.json() == whole.json()

    uploaded = c.upload_file("note.txt", b"hello file", "assistants", "text/plain")
    assert uploaded.ok and c.file_content(uploaded.body["id"]).content == b"hello file"

    ids = [created.body["id"], stream.response_id, background.response_id]
    assert c.cleanup.run() == []
    assert [c.retrieve(rid or "").status_code for rid in ids] == [404, 404, 404]
    assert c.retrieve_file(uploaded.body["id"]).status_code == 404
    assert KEY not in json.dumps(c.evidence.as_dict())


def test_negative_cases_through_raw(c: ResponsesClient) -> None:
    assert c.raw("POST", "/responses", json={"model": "gpt-4o", "input": "x"}, auth=False).status_code == 401
    assert c.raw("POST", "/responses", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    if c.target.api_style != "openai":
        assert c.raw("GET", "/responses/resp_x", api_version="1999-01-01").status_code == 400
    assert c.cancel("resp_unknown").status_code == 404


def test_a_rate_limit_fault_is_retried_as_told(servers: dict[str, str]) -> None:
    waits: list[float] = []
    handle = _start("openai", faults=[faults.parse_fault("rate-limit=every:2,retry-after=1")])
    try:
        target = Target(handle.url, "openai", model="gpt-4o", auth=ApiKeyAuth(KEY))
        with ResponsesClient(target, retry=RetryPolicy(sleep=waits.append)) as client:
            statuses = [client.create({"input": "hi"}).status_code for _ in range(2)]
            assert statuses == [200, 200] and waits == [1.0]
            assert client.evidence.exchanges[1]["attempts"] == [
                {"status": 429, "wait_s": 1.0}, {"status": 200, "wait_s": None},
            ]
            assert client.cleanup.run() == []
    finally:
        handle.stop()


def test_a_dropped_stream_raises_and_keeps_what_was_read(servers: dict[str, str]) -> None:
    handle = _start("openai", faults=[faults.parse_fault("drop-stream=every:1,after:3")])
    try:
        target = Target(handle.url, "openai", model="gpt-4o", auth=ApiKeyAuth(KEY))
        with ResponsesClient(target) as client:
            stream = client.stream({"input": "Tell a long story.", "background": True})
            with pytest.raises(StreamInterrupted):
                stream.read_all()
            assert stream.events
            assert client.cleanup.run() == []
    finally:
        handle.stop()
