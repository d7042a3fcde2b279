"""Hypothesis strategies of the property tests: schema-valid objects through schemathesis, streamable Responses.

``objects(component)`` asks schemathesis for bodies of a one-operation document whose request body is a
component of ``schemas/openapi.json``; ``streamable_responses()`` is written by hand for the item types the
synthesizer streams, and its output is checked against the schema by the tests.
"""

from __future__ import annotations

import functools
from typing import Any

import orjson
import schemathesis
from hypothesis import strategies as st

from conformance.contract._schemas import schemas_dir

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30)
IDS = st.integers(1, 10**6)


@functools.lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return dict(orjson.loads((schemas_dir() / "openapi.json").read_bytes()))


@functools.cache
def objects(component: str) -> st.SearchStrategy[Any]:
    """Objects valid under ``components/schemas/<component>`` of the OpenAPI document."""
    document = _document()
    probe = {
        "openapi": "3.1.0", "info": {"title": component, "version": "1"},
        "paths": {"/object": {"post": {
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{component}"}}}},
            "responses": {"200": {"description": "ok"}},
        }}},
        "components": {"schemas": document["components"]["schemas"]},
    }
    schema = schemathesis.openapi.from_dict(probe)
    schema.config.generation.update(allow_x00=False)
    return schema["/object"]["POST"].as_strategy().map(lambda case: case.body)


def _message(n: int, texts: list[str], refusal: str | None) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "output_text", "text": t, "annotations": [], "logprobs": []} for t in texts]
    if refusal is not None:
        content.append({"type": "refusal", "refusal": refusal})
    return {"id": f"msg_{n}", "type": "message", "status": "completed", "role": "assistant", "content": content}


@st.composite
def _item(draw: st.DrawFn, n: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["message", "function_call", "reasoning", "custom_tool_call"]))
    if kind == "message":
        return _message(n, draw(st.lists(TEXT, min_size=1, max_size=3)), draw(st.none() | TEXT))
    if kind == "function_call":
        arguments = orjson.dumps(draw(st.dictionaries(st.sampled_from("abc"), st.integers(-(2**53), 2**53) | TEXT, max_size=3)))
        return {"id": f"fc_{n}", "type": "function_call", "status": "completed", "call_id": f"call_{n}",
                "name": "tool", "arguments": arguments.decode()}
    if kind == "custom_tool_call":
        return {"id": f"ctc_{n}", "type": "custom_tool_call", "status": "completed", "call_id": f"call_{n}",
                "name": "py", "input": draw(TEXT)}
    summary = [{"type": "summary_text", "text": t} for t in draw(st.lists(TEXT, max_size=2))]
    return {"id": f"rs_{n}", "type": "reasoning", "summary": summary}


@st.composite
def streamable_responses(draw: st.DrawFn) -> dict[str, Any]:
    """A completed Response whose output has at least one message with text, then any streamable items."""
    first = _message(0, draw(st.lists(TEXT, min_size=1, max_size=2)), None)
    rest = [draw(_item(n)) for n in range(1, draw(st.integers(0, 4)) + 1)]
    output = draw(st.permutations([first, *rest]))
    tokens = draw(st.integers(0, 1000)), draw(st.integers(0, 1000))
    return {
        "id": f"resp_{draw(IDS)}", "object": "response", "created_at": 1751569118, "status": "completed",
        "error": None, "incomplete_details": None, "model": "gpt-4o-mini", "output": output,
        "usage": {"input_tokens": tokens[0], "input_tokens_details": {"cached_tokens": 0},
                  "output_tokens": tokens[1], "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": sum(tokens)},
    }
