"""Schema validation: every schema rule is produced by a mutation that breaks exactly it."""

from __future__ import annotations

import copy

import pytest

from conformance.contract import _schemas
from conformance.contract.rules import all_rules
from conformance.contract.validate import ContractValidator, detect_kind

RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1754443223,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "instructions": None,
    "max_output_tokens": None,
    "model": "gpt-4o-mini",
    "output": [
        {
            "id": "msg_1",
            "type": "message",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Hello", "annotations": []}],
        },
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": "{}",
         "status": "completed"},
    ],
    "parallel_tool_calls": True,
    "previous_response_id": None,
    "reasoning": {"effort": None, "summary": None},
    "store": True,
    "temperature": 1.0,
    "text": {"format": {"type": "text"}},
    "tool_choice": "auto",
    "tools": [],
    "top_p": 1.0,
    "truncation": "disabled",
    "usage": {
        "input_tokens": 5,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 8,
    },
    "user": None,
    "metadata": {},
}


def mutate(path, value=..., obj=RESPONSE):
    """A deep copy of obj with the value at path replaced (or deleted when value is ...)."""
    out = copy.deepcopy(obj)
    node = out
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


@pytest.mark.parametrize("profile", _schemas.PROFILES)
@pytest.mark.parametrize("strict", [True, False])
def test_the_reference_response_is_valid(profile, strict):
    response = RESPONSE if profile != "open-responses" else mutate(["user"])  # Open Responses has no `user`
    assert ContractValidator(profile, strict=strict).validate(response, "response") == []


@pytest.mark.parametrize(
    ("rule", "obj", "strict", "pointer"),
    [
        ("schema.required", mutate(["id"]), False, "/id"),
        ("schema.type", mutate(["output", 1, "arguments"], {"a": 1}), False, "/output/1/arguments"),
        ("schema.enum", mutate(["status"], "done"), False, "/status"),
        ("schema.discriminator", mutate(["output", 1, "type"], "teleport_call"), True, "/output/1/type"),
        ("schema.constraint", mutate(["output", 1, "call_id"], ""), False, "/output/1/call_id"),
        ("schema.undeclared", mutate(["surprise"], 1), True, ""),
        ("schema.shape", mutate(["tool_choice"], 7), False, "/tool_choice"),
    ],
)
def test_each_schema_rule_is_caught_with_its_id(rule, obj, strict, pointer):
    violations = ContractValidator("openai", strict=strict).validate(obj, "response")
    assert rule in {v.rule for v in violations}, [str(v) for v in violations]
    assert any(v.rule == rule and v.pointer == pointer for v in violations), [str(v) for v in violations]


def test_compat_accepts_unknown_item_types_and_fields_strict_does_not():
    obj = mutate(["output", 1], {"type": "teleport_call", "id": "tc_1", "where": "moon"})
    assert ContractValidator("openai").validate(obj, "response") == []
    rules = {v.rule for v in ContractValidator("openai", strict=True).validate(obj, "response")}
    assert "schema.discriminator" in rules


def test_azure_only_field_is_declared_in_azure_profile_only():
    obj = mutate(["content_filters"], [])
    assert ContractValidator("azure", strict=True).validate(obj, "response") == []
    rules = {v.rule for v in ContractValidator("openai", strict=True).validate(obj, "response")}
    assert rules == {"schema.undeclared"}
    assert ContractValidator("openai").validate(obj, "response") == []


def test_non_object_event_is_a_json_violation():
    assert [v.rule for v in ContractValidator().validate_event(["not", "an", "object"])] == ["schema.json"]


def test_unknown_event_type_compat_checks_the_base_and_strict_rejects():
    event = {"type": "response.future_thing.happened", "sequence_number": 3}
    assert ContractValidator().validate_event(event) == []
    assert ContractValidator().validate_event({"type": "response.future_thing.happened"})[0].rule == "schema.required"
    strict = ContractValidator(strict=True).validate_event(event)
    assert [v.rule for v in strict] == ["schema.discriminator"]


def test_keepalive_is_an_openai_and_azure_event_with_a_sequence_number():
    keepalive = {"type": "keepalive", "sequence_number": 7}  # OpenAI sends it too (openai/openai-node#1964)
    assert ContractValidator("azure", strict=True).validate_event(keepalive) == []
    assert ContractValidator("openai", strict=True).validate_event(keepalive) == []
    assert [v.rule for v in ContractValidator("openai").validate_event({"type": "keepalive"})] == ["schema.required"]
    assert [v.rule for v in ContractValidator("open-responses", strict=True).validate_event(keepalive)] == [
        "schema.discriminator"
    ]


def test_violation_carries_expected_and_found():
    (violation,) = ContractValidator().validate(mutate(["created_at"], "yesterday"), "response")
    assert violation.rule == "schema.type"
    assert violation.expected == "number" and violation.found == "string"
    assert str(violation).startswith("[schema.type] at /created_at:")


@pytest.mark.parametrize(
    ("obj", "kind"),
    [
        (RESPONSE, "response"),
        ({"error": {"message": "x", "type": "invalid_request_error", "param": None, "code": None}}, "error"),
        ({"id": "resp_1", "object": "response.deleted", "deleted": True}, "deletion"),
        ({"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}, "input_item_list"),
        ({"type": "response.output_text.delta", "sequence_number": 1}, "event"),
        ({"model": "gpt-4o", "input": "hi"}, "request"),
        ({"object": "file", "id": "file-1", "purpose": "assistants"}, "file"),
        ({"hello": 1}, None),
    ],
)
def test_detect_kind(obj, kind):
    assert detect_kind(obj) == kind


def test_unknown_profile_and_kind_are_refused():
    with pytest.raises(ValueError, match="unknown profile"):
        ContractValidator("bedrock")
    with pytest.raises(ValueError, match="unknown kind"):
        ContractValidator().validate({}, "banana")


def test_every_rule_id_is_unique_and_dotted():
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    assert all("." in i for i in ids)


def test_every_schema_rule_has_a_mutation_above():
    tested = {"schema.required", "schema.type", "schema.enum", "schema.discriminator", "schema.constraint",
              "schema.undeclared", "schema.shape", "schema.json"}
    assert {r.id for r in all_rules() if r.area == "schema"} == tested
