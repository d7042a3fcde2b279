"""Legal variations (``serve --vary``, ``--proxy-to``): each shows on the wire; the client reads through it."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import orjson
import pytest
from starlette.types import Message, Receive, Scope, Send
from typer.testing import CliRunner

from conformance.cli import app
from conformance.contract.sse import SSEDecoder
from conformance.reference.app import create_app
from conformance.reference.config import Flavor, ServerConfig
from conformance.reference.server import ServerHandle, start_server
from conformance.reference.variations import VARIATIONS, VaryingMiddleware
from conformance.run.runner import load_checks

KEY = "variations-test-key"
RECORDINGS = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "recordings"
_CITED = re.compile(r"\b[a-z0-9-]+__[A-Za-z0-9_.\[\]-]*[A-Za-z0-9\]_]")  # recording (or session) names


def _server(*variations: str, flavor: Flavor = "openai") -> ServerHandle:
    return start_server(ServerConfig(flavor=flavor, api_key=KEY, think_time=0.2, variations=variations))


def _client(handle: ServerHandle) -> httpx.Client:
    return httpx.Client(base_url=f"{handle.url}/v1", headers={"authorization": f"Bearer {KEY}"}, timeout=30)


def _events(raw: bytes) -> list[dict[str, Any]]:
    """The JSON events of a raw stream, read by the suite's own decoder."""
    decoder = SSEDecoder()
    found = decoder.feed(raw) + decoder.close()
    return [orjson.loads(e.data) for e in found]


def _stream(client: httpx.Client, **body: Any) -> bytes:
    answer = client.post(
        "/responses", json={"model": "o4-mini", "input": "Say hello to the world.", "stream": True, **body}
    )
    assert answer.status_code == 200, answer.text
    return answer.content


def test_every_variation_names_its_sentence_source_and_checks() -> None:
    ids = {c.__conformance_check__.id for c in load_checks()}  # type: ignore[attr-defined]
    for name, found in VARIATIONS.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert found.description.endswith(".") and found.source, name
        for glob in found.affects:
            assert any(re.fullmatch(glob.replace(".", r"\.").replace("*", ".*"), i) for i in ids), (
                name,
                glob,
            )


@pytest.mark.skipif(not RECORDINGS.is_dir(), reason="the shared recordings are not beside the project")
def test_the_recordings_a_variation_cites_exist() -> None:
    files = [p.name for p in RECORDINGS.glob("*.json")]
    for found in VARIATIONS.values():
        for cited in _CITED.findall(found.source):
            assert any(f.startswith(cited) for f in files), (found.name, cited)


def test_sse_framing_variations_show_on_the_wire_and_decode_as_the_faithful_stream() -> None:
    faithful, varied = _server(), _server("sse-comments", "sse-id-retry", "sse-crlf")
    try:
        with _client(faithful) as plain, _client(varied) as client:
            expected, raw = _stream(plain), _stream(client)
    finally:
        faithful.stop()
        varied.stop()
    assert raw.startswith(b": ping - ") and b"\r\nid: 0\r\n" in raw and b"retry: 3000\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends with CRLF
    keep = ("type", "sequence_number", "delta", "text")
    assert [{k: e.get(k) for k in keep} for e in _events(raw)] == [
        {k: e.get(k) for k in keep} for e in _events(expected)
    ]


def test_tiny_chunks_cut_a_stream_into_pieces_of_one_to_seven_bytes() -> None:
    body = b'event: response.created\ndata: {"type":"response.created","text":"h\xc3\xa9"}\n\n'

    async def stream(scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    scope = {"type": "http", "method": "POST", "path": "/v1/responses", "headers": [], "query_string": b""}
    anyio.run(VaryingMiddleware(stream, ["sse-tiny-chunks"]), scope, nothing, collect)
    pieces = [m["body"] for m in sent if m["type"] == "http.response.body"]
    assert b"".join(pieces) == body * 2 and len(pieces) > 20 and max(map(len, pieces)) <= 7
    assert [m.get("more_body") for m in sent][-1] is False


def test_gzip_encodes_json_answers_but_not_streams() -> None:
    handle = _server("gzip")
    try:
        with _client(handle) as client:
            created = client.post("/responses", json={"model": "o4-mini", "input": "hi"})
            with client.stream(
                "POST", "/responses", json={"model": "o4-mini", "input": "hi", "stream": True}
            ) as s:
                streamed = s.headers.get("content-encoding")
            with client.stream(
                "GET", f"/responses/{created.json()['id']}", headers={"accept-encoding": "gzip"}
            ) as s:
                wire = b"".join(s.iter_raw())
    finally:
        handle.stop()
    assert created.headers["content-encoding"] == "gzip" and created.json()["object"] == "response"
    assert streamed is None
    assert orjson.loads(gzip.decompress(wire))["id"] == created.json()["id"]


def test_rate_limit_answers_429_with_retry_after_once_per_distinct_request() -> None:
    handle = _server("rate-limit-retry-after")
    body = {"model": "o4-mini", "input": "hi", "store": False}
    try:
        with _client(handle) as client:
            first, retry, again = (client.post("/responses", json=body) for _ in range(3))
            other = client.post("/responses", json={**body, "input": "hello"})
    finally:
        handle.stop()
    assert (
        first.status_code == 429 and first.headers["retry-after"] == "1" and first.headers["retry-after-ms"]
    )
    assert first.json()["error"]["code"] == "rate_limit_exceeded"
    assert retry.status_code == 200 and again.status_code == 200 and other.status_code == 429


def test_payload_variations_show_in_json_bodies_and_events() -> None:
    names = (
        "vendor-extension-fields",
        "obfuscation",
        "billing",
        "service-tier-once-terminal",
        "completed-at-once-terminal",
    )
    handle = _server(*names)
    try:
        with _client(handle) as client:
            events = _events(_stream(client))
            rid = events[0]["response"]["id"]
            stored = client.get(f"/responses/{rid}").json()
            replayed = client.post("/responses", json={"model": "o4-mini", "input": stored["output"]})
    finally:
        handle.stop()
    first, last = events[0]["response"], events[-1]["response"]
    assert (first["service_tier"], first["completed_at"]) == ("auto", None)
    assert (last["service_tier"], last["completed_at"]) == ("default", last["created_at"])
    deltas = [e for e in events if e["type"].endswith(".delta")]
    assert deltas and all((len(e["delta"]) + len(e["obfuscation"])) % 16 == 0 for e in deltas)
    assert all("x_vendor_trace" in e for e in events) and not any(
        "billing" in e.get("response", {}) for e in events
    )
    assert stored["billing"] == {"payer": "developer"} and stored["completed_at"] == last["completed_at"]
    assert all("x_vendor_trace" in item for item in stored["output"])
    assert replayed.status_code == 200, replayed.text  # the vendor takes its own output items back as input


def test_keepalives_take_part_in_numbering_and_in_resume() -> None:
    handle = _server("keepalive-events")
    try:
        with _client(handle) as client:
            events = _events(_stream(client))
            rid = events[0]["response"]["id"]
            resumed = {
                after: _events(
                    client.get(
                        f"/responses/{rid}", params={"stream": "true", "starting_after": after}
                    ).content
                )
                for after in range(-1, len(events))
            }
    finally:
        handle.stop()
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert (
        events[2] == {"type": "keepalive", "sequence_number": 2}
        and events[-1]["type"] == "response.completed"
    )
    for after, tail in resumed.items():
        assert tail == events[after + 1 :], after


def test_input_items_of_a_chained_response_list_the_conversation_newest_first() -> None:
    handle = _server("input-items-full-context")
    try:
        with _client(handle) as client:
            first = client.post("/responses", json={"model": "o4-mini", "input": "first turn"}).json()
            second = client.post(
                "/responses",
                json={"model": "o4-mini", "input": "second turn", "previous_response_id": first["id"]},
            ).json()
            listed = client.get(f"/responses/{second['id']}/input_items").json()
            walked, after = [], None
            while True:
                page = client.get(
                    f"/responses/{second['id']}/input_items",
                    params={"limit": 1, **({"after": after} if after else {})},
                ).json()
                walked += page["data"]
                if not page["has_more"]:
                    break
                after = page["last_id"]
            unknown = client.get(f"/responses/{second['id']}/input_items", params={"after": "msg_none"})
    finally:
        handle.stop()
    texts = [part.get("text") for item in listed["data"] for part in item.get("content") or []]
    assert texts[0] == "second turn" and texts[-1] == "first turn"
    assert [i["id"] for i in listed["data"]][1 : 1 + len(first["output"])] == [
        i["id"] for i in first["output"]
    ][::-1]
    assert walked == listed["data"] and unknown.status_code == 400


def test_azure_answers_a_create_without_model_with_its_message_only_envelope() -> None:
    handle = _server("azure-missed-model-deployment", flavor="azure")
    try:
        answer = httpx.post(
            f"{handle.url}/openai/v1/responses",
            params={"api-version": "preview"},
            json={"input": "hi"},
            headers={"api-key": KEY},
        )
    finally:
        handle.stop()
    assert answer.status_code == 400 and "content-type" not in answer.headers
    assert answer.json() == {"error": {"message": "Missed model deployment"}}


def test_an_unknown_variation_is_refused_by_the_app_and_by_serve(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown legal variation"):
        create_app(ServerConfig(variations=("no-such-quirk",)))
    result = CliRunner().invoke(
        app, ["serve", "--vary", "gzip", "--vary", "no-such-quirk", "--db", ":memory:"]
    )
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == "error: unknown legal variation(s): no-such-quirk (see `responses-conformance selftest`)"
    )
    result = CliRunner().invoke(app, ["serve", "--from-cassettes", str(tmp_path), "--vary", "gzip"])
    assert result.exit_code == 2 and "no --violate, --vary or --proxy-to" in result.output


@pytest.fixture
def proxied() -> Iterator[tuple[ServerHandle, str]]:
    """A faithful upstream and a proxy in front of it showing CRLF line ends, gzip and 429s."""
    from conformance.reference._uvicorn import serve_in_thread
    from conformance.reference.violations.proxy import proxy_app

    upstream = _server()
    url, server, thread = serve_in_thread(
        proxy_app(upstream.url, [], ["sse-crlf", "gzip", "rate-limit-retry-after"]), "127.0.0.1", 0, "proxy"
    )
    yield upstream, url
    server.should_exit = True
    thread.join(timeout=10)
    upstream.stop()


def test_the_proxy_shows_variations_in_front_of_any_server(
    proxied: tuple[ServerHandle, str], tmp_path: Path
) -> None:
    _, url = proxied
    with httpx.Client(base_url=f"{url}/v1", headers={"authorization": f"Bearer {KEY}"}, timeout=30) as client:
        assert (
            client.post("/responses", json={"model": "o4-mini", "input": "x", "stream": True}).status_code
            == 429
        )
        raw = _stream(client, input="x")
    assert b"\r\n\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    checks = ["streaming.text.conforms", "lifecycle.retrieve.equals_create"]
    result = CliRunner().invoke(
        app,
        [
            "run",
            "--endpoint",
            f"{url}/v1",
            "--api-style",
            "openai",
            "--model",
            "o4-mini",
            "--bearer",
            KEY,
            *[arg for c in checks for arg in ("--only", c)],
            "--out",
            str(tmp_path),
        ],
    )
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert {r["check"]: r["verdict"] for c in report["cells"] for r in c["results"]} == dict.fromkeys(
        checks, "passed"
    )
    assert result.exit_code == 0, result.output
