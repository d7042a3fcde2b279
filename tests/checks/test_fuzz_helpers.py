"""The fuzz checks' helpers: request shaping, generated bodies, the bounded hunt and the curl line."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from conformance.checks import _fuzz
from conformance.client import ApiKeyAuth, BearerAuth, BudgetExhausted, ResponsesClient, Target
from conformance.contract.validate import ContractValidator

COMPAT = ContractValidator("openai")


def test_shape_forces_the_cheap_values_and_keeps_invalid_ones() -> None:
    body = {"model": "x", "stream": None, "tools": [{"type": "mcp", "server_url": "http://a"}, {"type": "function", "name": "f"}]}
    assert _fuzz.shape(body, "m") == {"model": "m", "max_output_tokens": 16, "stream": False, "background": False,
                                      "tools": [{"type": "function", "name": "f"}]}
    broken = {"model": 3, "max_output_tokens": "many", "stream": "yes"}
    assert _fuzz.shape(broken, "m") == {**broken, "background": False}
    assert _fuzz.shape([1], "m") == [1]


@settings(max_examples=15)
@given(_fuzz.create_bodies("openai", "gpt-4o-mini", valid=True))
def test_valid_bodies_are_valid_and_capped(body: dict[str, Any]) -> None:
    assert COMPAT.validate(body, "request") == []
    assert body["max_output_tokens"] == 16 and body["model"] == "gpt-4o-mini" and body["stream"] is False


@settings(max_examples=5)
@given(_fuzz.create_bodies("openai", "gpt-4o-mini", valid=False))
def test_invalid_bodies_are_invalid(body: Any) -> None:
    assert COMPAT.validate(body, "request") != []


def test_hunt_shrinks_a_failure_within_the_request_cap() -> None:
    calls: list[Any] = []

    def probe(body: dict[str, Any]) -> str | None:
        calls.append(body)
        return "has metadata" if "metadata" in body else None

    finding = _fuzz.hunt(_fuzz.create_bodies("openai", "m", valid=True), probe)
    assert finding is not None and "metadata" in finding.body and finding.problem == "has metadata"
    assert len(calls) <= _fuzz.EXAMPLES + _fuzz.SHRINK_REQUESTS
    assert all(len(str(finding.body)) <= len(str(b)) for b in calls if "metadata" in b)


def test_hunt_passes_quietly_or_gives_back_a_spent_budget() -> None:
    assert _fuzz.hunt(_fuzz.create_bodies("openai", "m", valid=True), lambda body: None, examples=3) is None

    def spent(body: Any) -> str | None:
        raise BudgetExhausted("the request budget of 1 requests is spent")

    with pytest.raises(BudgetExhausted):
        _fuzz.hunt(_fuzz.create_bodies("openai", "m", valid=True), spent, examples=3)


@pytest.mark.parametrize(("auth", "header"), [(ApiKeyAuth("sekrit-key"), '"api-key: $API_KEY"'),
                                              (BearerAuth("sekrit-key"), '"Authorization: Bearer $TOKEN"')])
def test_curl_replays_the_request_without_the_secret(auth: Any, header: str) -> None:
    client = ResponsesClient(Target("https://res.openai.azure.com", "azure-v1", model="gpt-4o", auth=auth))
    line = _fuzz.curl(client, "POST", "/responses", {"input": "it's"})
    assert line.startswith("curl -X POST 'https://res.openai.azure.com/openai/v1/responses?api-version=preview' -H ")
    assert header in line and "sekrit-key" not in line
    assert line.endswith("-d '{\"input\":\"it'\"'\"'s\"}'")
