"""Structured output: text.format json_schema and json_object give JSON the client can rely on."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator

from conformance.checks._answers import completed, output_text, refused, room
from conformance.checks._check import Tier, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.client import ResponsesClient
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml createResponse text.format (TextResponseFormatJsonSchema, ResponseFormatJsonObject)"

PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}
SCHEMA_FORMAT = {"type": "json_schema", "name": "person", "schema": PERSON, "strict": True}
EXTRACT = "Extract the person from this sentence: Alice is 30 years old."


def _structured(cell: Cell, client: ResponsesClient, judge: Judge) -> dict[str, Any]:
    body = {"input": EXTRACT, "text": {"format": SCHEMA_FORMAT}, **room(cell, 64)}
    return completed(client.create(body), judge, "a request with a json_schema text format")


_NOT_JSON = object()


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOT_JSON


@check("structured.json_schema.valid", spec=SPEC, requires=("structured_output",), tier=Tier.smoke)
def test_json_schema_output_is_valid_against_the_schema(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """With a strict json_schema text format, the output_text MUST be JSON valid against the schema."""
    answer = output_text(_structured(cell, client, judge))
    value = _json(answer)
    expect(value is not _NOT_JSON, "the output_text is not JSON", expected="a JSON object", actual=answer[:200])
    errors = sorted(Draft202012Validator(PERSON).iter_errors(value), key=str)
    expect(not errors, "the output_text does not match the json_schema",
           expected="{name: string, age: integer} and nothing else",
           actual=f"{answer[:200]}: {errors[0].message if errors else ''}")


@check("structured.json_schema.echoed", spec=SPEC + "; Response.text", requires=("structured_output",))
def test_response_echoes_the_json_schema_format(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The response MUST echo the requested text.format: type json_schema with the schema's name."""
    fmt = (_structured(cell, client, judge).get("text") or {}).get("format") or {}
    expect(fmt.get("type") == "json_schema" and fmt.get("name") == "person",
           "the response does not echo the json_schema text format",
           expected="text.format {type: json_schema, name: person}", actual=fmt)


@check("structured.json_object.valid", spec=SPEC, requires=("structured_output",))
def test_json_object_output_is_a_json_object(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """With a json_object text format, the output_text MUST parse as one JSON object."""
    body = {
        "input": "Reply in JSON with one key, answer, holding the result: what is 2 + 3?",
        "text": {"format": {"type": "json_object"}},
        **room(cell, 64),
    }
    answer = output_text(completed(client.create(body), judge, "a request with a json_object text format"))
    expect(isinstance(_json(answer), dict), "the output_text is not a JSON object",
           expected="a JSON object", actual=answer[:200])


@check("structured.json_schema.name_required", owns=ENVELOPE, spec=SPEC + " (name is required)", requires=("structured_output",))
def test_json_schema_format_without_a_name_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A json_schema text format without its required name MUST be refused with a 4xx error."""
    nameless = {"type": "json_schema", "schema": PERSON, "strict": True}
    body = {"input": EXTRACT, "text": {"format": nameless}, **room(cell, 64)}
    refused(client.create(body), judge, "a json_schema text format without a name")
