"""Streams: the canonical event order, many deltas, keep-alives on idle time (a fault), resume from a log."""

from __future__ import annotations

import pytest
from refkit import Ref, events, start, text_of

from conformance.reference.faults import parse_fault


def test_stream_matches_the_final_response(ref: Ref) -> None:
    stream = ref.stream({"model": "gpt-4o-mini", "input": "Write a long story about a lighthouse."})
    assert [e["sequence_number"] for e in stream] == list(range(len(stream)))
    assert stream[0]["type"] == "response.created" and stream[-1]["type"] == "response.completed"
    deltas = [e["delta"] for e in stream if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 100
    assert "".join(deltas) == text_of(stream[-1]["response"])
    final = stream[-1]["response"]
    stored = ref.request("GET", f"/responses/{final['id']}").json()
    billing = {"billing": {"payer": "developer"}} if ref.flavor == "openai" else {}
    assert stored == {**final, **billing}  # OpenAI bills on JSON bodies only, never on stream events


def test_service_tier_and_completed_at_are_set_once_the_response_ran(ref: Ref) -> None:
    stream = ref.stream({"model": "gpt-4o-mini", "input": "Count to 5"})
    created, final = stream[0]["response"], stream[-1]["response"]
    assert (created["service_tier"], created["completed_at"]) == ("auto", None)
    assert final["service_tier"] == "default" and isinstance(final["completed_at"], int)
    assert "billing" not in final and not any("billing" in e.get("response", {}) for e in stream)


def test_faithful_streams_carry_no_keepalives(ref: Ref) -> None:
    stream = ref.stream({"model": "gpt-4o-mini", "input": "Count to 60"})
    assert not [e for e in stream if e["type"] == "keepalive"]  # no recorded OpenAI or Azure stream has one


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_the_keepalive_fault_numbers_keepalives_on_idle_time(flavor: str) -> None:
    handle = start(flavor, think_time=0.4, faults=[parse_fault("keepalive=1")])
    try:
        client = Ref(handle, "openai" if flavor == "openai" else "azure-v1")
        stream = client.stream({"model": "gpt-4o-mini", "input": "Count to 5", "background": True})
        keepalives = [e for e in stream if e["type"] == "keepalive"]
        assert keepalives and all(set(e) == {"type", "sequence_number"} for e in keepalives)
        assert [e["sequence_number"] for e in stream] == list(range(len(stream)))  # keepalives are numbered
        at = stream.index(keepalives[0])
        resumed = client.request("GET", f"/responses/{stream[0]['response']['id']}",
                                 params={"stream": "true", "starting_after": at - 1})
        assert events(resumed) == stream[at:]
    finally:
        handle.stop()


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
