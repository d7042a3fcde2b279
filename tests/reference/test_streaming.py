"""Streams: the canonical event order, many deltas, Azure keep-alives, and resume from the stored event log."""

from __future__ import annotations

from refkit import Ref, events, text_of


def test_stream_matches_the_final_response(ref: Ref) -> None:
    stream = ref.stream({"model": "gpt-4o-mini", "input": "Write a long story about a lighthouse."})
    assert [e["sequence_number"] for e in stream] == list(range(len(stream)))
    assert stream[0]["type"] == "response.created" and stream[-1]["type"] == "response.completed"
    deltas = [e["delta"] for e in stream if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 100
    assert "".join(deltas) == text_of(stream[-1]["response"])
    stored = ref.request("GET", f"/responses/{stream[-1]['response']['id']}").json()
    assert stored == stream[-1]["response"]


def test_azure_streams_carry_numbered_keepalives(az: Ref) -> None:
    stream = az.stream({"model": "gpt-4o-mini", "input": "Count to 60"})
    keepalives = [e for e in stream if e["type"] == "keepalive"]
    assert keepalives and all(set(e) == {"type", "sequence_number"} for e in keepalives)


def test_openai_streams_have_no_keepalives(oa: Ref) -> None:
    stream = oa.stream({"model": "gpt-4o-mini", "input": "Count to 60"})
    assert not [e for e in stream if e["type"] == "keepalive"]


def test_resume_starting_after_n(ref: Ref) -> None:
    stream = ref.stream({"model": "gpt-4o-mini", "input": "Count to 30"})
    rid = stream[0]["response"]["id"]
    for n in (0, 5, len(stream) - 2, len(stream) - 1):
        resumed = ref.request("GET", f"/responses/{rid}", params={"stream": "true", "starting_after": n})
        assert events(resumed) == stream[n + 1 :]


def test_resume_of_a_non_streamed_response_is_400(ref: Ref) -> None:
    rid = ref.ok({"model": "gpt-4o-mini", "input": "hi"})["id"]
    resumed = ref.request("GET", f"/responses/{rid}", params={"stream": "true", "starting_after": 0})
    assert ref.error(resumed, 400)["param"] == "stream"


def test_bad_starting_after_is_400(oa: Ref) -> None:
    rid = oa.stream({"model": "gpt-4o-mini", "input": "hi"})[0]["response"]["id"]
    resumed = oa.request("GET", f"/responses/{rid}", params={"stream": "true", "starting_after": "x"})
    assert oa.error(resumed, 400)["param"] == "starting_after"


def test_streamed_function_call_and_reasoning(ref: Ref) -> None:
    tool = {"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}
    body = {"model": "o3", "input": "lookup Rome", "tools": [tool], "reasoning": {"summary": "detailed"}}
    stream = ref.stream(body)
    types = [e["type"] for e in stream]
    assert "response.reasoning_summary_text.delta" in types and "response.function_call_arguments.done" in types


def test_stream_with_store_false_is_not_resumable(oa: Ref) -> None:
    stream = oa.stream({"model": "gpt-4o-mini", "input": "hi", "store": False})
    oa.error(oa.request("GET", f"/responses/{stream[0]['response']['id']}", params={"stream": "true"}), 404)
