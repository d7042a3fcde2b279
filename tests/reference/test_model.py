"""The deterministic model through the API: recall, function calls, structured output, reasoning, limits, usage."""

from __future__ import annotations

import json
from typing import Any

import pytest
from refkit import Ref, text_of

from conformance.reference import model

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather at a place",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"]}},
        "required": ["location", "unit"],
    },
}
TIME = {"type": "function", "name": "get_time", "parameters": {"type": "object", "properties": {}}}


def _usage_adds_up(response: dict[str, Any]) -> None:
    usage = response["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["output_tokens"] >= usage["output_tokens_details"]["reasoning_tokens"]


def test_recall_through_previous_response_id(ref: Ref) -> None:
    first = ref.ok({"model": "gpt-4o-mini", "input": "Remember the code word ZEPHYR-9. Reply OK."})
    second = ref.ok({"model": "gpt-4o-mini", "input": "What is the code word?", "previous_response_id": first["id"]})
    assert "ZEPHYR-9" in text_of(second)
    assert second["previous_response_id"] == first["id"]


def test_recall_through_manual_chaining(oa: Ref) -> None:
    first_input = [{"role": "user", "content": "Remember the code word QUOKKA. Reply OK."}]
    first = oa.ok({"model": "gpt-4o-mini", "input": first_input, "store": False})
    follow = [*first_input, *first["output"], {"role": "user", "content": "What is the code word?"}]
    assert "QUOKKA" in text_of(oa.ok({"model": "gpt-4o-mini", "input": follow, "store": False}))


def test_item_reference_names_an_earlier_item(oa: Ref) -> None:
    first = oa.ok({"model": "gpt-4o-mini", "input": "Remember the code word HERON."})
    stated = oa.request("GET", f"/responses/{first['id']}/input_items").json()["data"][0]["id"]
    question = {"role": "user", "content": "What is the code word?"}
    refs = [{"type": "item_reference", "id": stated}, question]
    second = oa.ok({"model": "gpt-4o-mini", "input": refs, "previous_response_id": first["id"]})
    assert "HERON" in text_of(second)
    bad = oa.create({"model": "gpt-4o-mini", "input": [{"type": "item_reference", "id": "msg_nope"}]})
    assert oa.error(bad, 400)["param"] == "input[0].id"


def test_function_call_then_answer_with_its_output(ref: Ref) -> None:
    call = ref.ok({"model": "gpt-4o", "input": "What is the weather in Paris?", "tools": [WEATHER]})
    [item] = call["output"]
    assert item["type"] == "function_call" and item["name"] == "get_weather"
    assert json.loads(item["arguments"]) == {"location": "Paris", "unit": "C"}
    output = {"type": "function_call_output", "call_id": item["call_id"], "output": "22 degrees and sunny"}
    answer = ref.ok({"model": "gpt-4o", "input": [output], "previous_response_id": call["id"], "tools": [WEATHER]})
    assert "22 degrees and sunny" in text_of(answer)
    _usage_adds_up(answer)


@pytest.mark.parametrize(
    ("tool_choice", "parallel", "names"),
    [
        ("auto", True, ["get_weather", "get_time"]),
        ("auto", False, ["get_weather"]),
        ("none", True, []),
        ("required", True, ["get_weather", "get_time"]),
        ({"type": "function", "name": "get_time"}, True, ["get_time"]),
    ],
)
def test_tool_choice_and_parallel_tool_calls(oa: Ref, tool_choice: Any, parallel: bool, names: list[str]) -> None:
    body = {
        "model": "gpt-4o",
        "input": "Use get_weather for Oslo and get_time too.",
        "tools": [WEATHER, TIME],
        "tool_choice": tool_choice,
        "parallel_tool_calls": parallel,
    }
    response = oa.ok(body)
    assert [i["name"] for i in response["output"] if i["type"] == "function_call"] == names
    if not names:
        assert text_of(response)


def test_unknown_call_id_is_400(oa: Ref) -> None:
    bad = oa.create({"model": "gpt-4o", "input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}]})
    assert oa.error(bad, 400)["param"] == "input[0].call_id"


def test_json_schema_output_validates(ref: Ref) -> None:
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "population": {"type": "integer", "minimum": 1},
            "kind": {"type": "string", "enum": ["capital", "town"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["city", "population", "kind", "tags"],
        "additionalProperties": False,
    }
    fmt = {"type": "json_schema", "name": "city", "schema": schema, "strict": True}
    response = ref.ok({"model": "gpt-4o", "input": "Describe Lisbon as JSON.", "text": {"format": fmt}})
    value = json.loads(text_of(response))
    assert value["kind"] == "capital" and value["population"] >= 1 and set(value) == set(schema["required"])


@pytest.mark.parametrize("name", ["o1", "o3", "o3-mini", "o4-mini", "o3-2025-04-16"])
def test_reasoning_models_emit_reasoning_with_summary(oa: Ref, name: str) -> None:
    response = oa.ok({"model": name, "input": "Why is the sky blue?", "reasoning": {"summary": "auto"}})
    reasoning = response["output"][0]
    assert reasoning["type"] == "reasoning" and reasoning["summary"][0]["text"]
    assert response["usage"]["output_tokens_details"]["reasoning_tokens"] > 0
    _usage_adds_up(response)


def test_encrypted_reasoning_round_trip_and_tamper(ref: Ref) -> None:
    body = {"model": "o4-mini", "input": "Think about 2 + 2", "store": False, "include": ["reasoning.encrypted_content"]}
    first = ref.ok(body)
    reasoning = first["output"][0]
    assert reasoning["encrypted_content"]
    replay = [*first["output"], {"role": "user", "content": "And 3 + 3?"}]
    assert ref.ok({**body, "input": replay})["status"] == "completed"
    token = reasoning["encrypted_content"]
    tampered = {**reasoning, "encrypted_content": token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]}
    error = ref.error(ref.create({**body, "input": [tampered]}), 400)
    assert error["code"] == "invalid_encrypted_content"


def test_max_output_tokens_gives_incomplete(ref: Ref) -> None:
    response = ref.ok({"model": "gpt-4o-mini", "input": "Write a long essay about rivers.", "max_output_tokens": 20})
    assert response["status"] == "incomplete"
    assert response["incomplete_details"] == {"reason": "max_output_tokens"}
    assert response["usage"]["output_tokens"] <= 20 and model.count_tokens(text_of(response)) == 20
    _usage_adds_up(response)


def test_usage_counts_words_of_input_and_output(oa: Ref) -> None:
    response = oa.ok({"model": "gpt-4o-mini", "input": "Say three small words", "instructions": "Be brief."})
    usage = response["usage"]
    assert usage["input_tokens"] == 6 and usage["output_tokens"] == 3
    _usage_adds_up(response)


def test_instance_follows_schema_keywords() -> None:
    schema = {
        "type": "object",
        "properties": {"d": {"type": "string", "format": "date"}, "n": {"anyOf": [{"type": "null"}]}, "r": {"$ref": "#/$defs/r"}},
        "required": ["d", "n", "r"],
        "$defs": {"r": {"type": "array", "minItems": 2, "items": {"type": "boolean"}}},
    }
    assert model.instance(schema) == {"d": "2025-01-01", "n": None, "r": [True, True]}


def test_a_question_is_answered_from_an_attachment() -> None:
    note = 'The file a.pdf is a PDF with 1 page(s). It says: "The code word is PELICAN. Page 1 of 1".'
    conv = model.Conversation(prompt="What is the code word? It is in the attached document.", attachments=[note])
    assert model.reply(conv).startswith("The code word is PELICAN.")
