"""The reference server under generated traffic: no 5xx for schema-valid requests; resume = prefix + suffix."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks._fuzz import create_bodies
from conformance.contract.sse import parse_sse
from conformance.contract.stream import check_stream
from conformance.contract.validate import ContractValidator
from conformance.reference.server import ServerHandle

MODEL = "gpt-4o-mini"
COMPAT = ContractValidator("openai")
PROMPTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


def _auth(server: ServerHandle) -> dict[str, str]:
    return {"api-key": server.config.api_key}


@given(create_bodies("openai", MODEL, valid=True))
def test_a_schema_valid_create_request_never_gets_a_5xx(server: ServerHandle, body: dict[str, Any]) -> None:
    answer = httpx.post(f"{server.url}/v1/responses", json=body, headers=_auth(server), timeout=10)
    assert answer.status_code < 500, answer.text
    kind = "error" if answer.status_code >= 400 else "response"
    assert COMPAT.validate(answer.json(), kind) == []


@given(prompt=PROMPTS, data=st.data())
def test_prefix_plus_resumed_suffix_is_the_stream(server: ServerHandle, prompt: str, data: st.DataObject) -> None:
    body = {"model": MODEL, "input": prompt, "stream": True, "max_output_tokens": 64}
    full = list(parse_sse(httpx.post(f"{server.url}/v1/responses", json=body, headers=_auth(server), timeout=10).content))
    events = [orjson.loads(e.data) for e in full]
    cut = data.draw(st.integers(0, len(events) - 1), label="starting_after")
    query = {"stream": "true", "starting_after": str(cut)}
    answer = httpx.get(f"{server.url}/v1/responses/{events[0]['response']['id']}", params=query, headers=_auth(server), timeout=10)
    suffix = list(parse_sse(answer.content))
    assert events[: cut + 1] + [orjson.loads(e.data) for e in suffix] == events
    if suffix:  # after the terminal event nothing is left, and there is no stream to judge
        assert check_stream(suffix, COMPAT, starting_after=cut).violations == []
