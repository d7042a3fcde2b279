"""Property: whatever JSON a client sends as any create parameter, the server answers 2xx or 4xx, never 5xx."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refkit import KEY

from conformance.contract.validate import ContractValidator
from conformance.reference.server import ServerHandle

_VALIDATOR = ContractValidator("openai", strict=True)
PARAMETERS = [
    "model", "input", "instructions", "previous_response_id", "store", "stream", "background", "include",
    "max_output_tokens", "metadata", "parallel_tool_calls", "reasoning", "temperature", "top_p", "text",
    "tool_choice", "tools", "truncation", "user",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["type", "text", "role", "content", "name", "schema", "format", "x"]), inner, max_size=4),
    max_leaves=12,
)
VALID_ITEMS = st.sampled_from(
    [
        [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        [{"type": "function_call_output", "call_id": "c", "output": "x"}],
        [{"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "abc"}],
        [{"role": "user", "content": [{"type": "input_file", "file_data": "data:application/pdf;base64,JVBERi0="}]}],
        {"type": "json_schema", "name": "x", "schema": {"type": "array", "items": {"$ref": "#/nope"}}},
    ]
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(PARAMETERS), value=JSON | VALID_ITEMS)
def test_no_create_body_gives_a_5xx(openai_server: ServerHandle, name: str, value: Any) -> None:
    body = {"model": "gpt-4o-mini", "input": "hi", name: value}
    if name == "text" and isinstance(value, dict) and "schema" in value:
        body[name] = {"format": value}
    response = httpx.post(openai_server.url + "/v1/responses", json=body, headers={"api-key": KEY}, timeout=10)
    assert response.status_code < 500, response.text
    kind = "error" if response.status_code >= 400 else "response"
    assert _VALIDATOR.validate(response.json(), kind) == []
