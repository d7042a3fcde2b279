"""Budget: requests counted (retries too, cleanup never), a clean harness error when spent, tokens capped."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from clientkit import Script, client, json_response

from conformance.checks import HarnessError
from conformance.client import Budget, BudgetExhausted


def test_a_spent_budget_stops_before_sending() -> None:
    script = Script()
    c = client(script, budget=Budget(max_requests=2))
    c.create({})
    c.retrieve("r")
    with pytest.raises(BudgetExhausted, match="2 requests") as info:
        c.create({})
    assert isinstance(info.value, HarnessError)
    assert len(script.requests) == 2 and c.budget.exhausted


def test_retries_are_charged_and_cleanup_is_not() -> None:
    budget = Budget(max_requests=10)
    script = Script(json_response({}, 503, {"retry-after": "0"}), json_response({"id": "r1", "object": "response"}))
    c = client(script, budget=budget)
    c.create({})
    assert budget.spent == 2
    assert c.cleanup.run() == []
    assert budget.spent == 2 and script.lines()[-1] == "DELETE /v1/responses/r1"


@pytest.mark.parametrize(
    ("cap", "body", "expected"),
    [
        (None, {}, 256),
        (100, {}, 100),
        (500, {"max_output_tokens": 1000}, 500),
        (None, {"max_output_tokens": 1000}, 1000),
        (500, {"max_output_tokens": 300}, 300),
        (500, {"max_output_tokens": None}, 256),
        (500, {"max_output_tokens": "lots"}, "lots"),  # negative cases keep their invalid values
        (500, {"max_output_tokens": -1}, -1),
    ],
)
def test_cap_tokens(cap: int | None, body: dict[str, Any], expected: Any) -> None:
    original = dict(body)
    assert Budget(max_output_tokens=cap).cap_tokens(body)["max_output_tokens"] == expected
    assert body == original


def test_create_fills_model_and_caps_tokens_but_raw_sends_as_given() -> None:
    script = Script()
    c = client(script, budget=Budget(max_output_tokens=64))
    c.create({"input": "hi"})
    c.create({"model": "other", "input": "hi", "max_output_tokens": 1000})
    c.stream({"input": "hi"})
    c.raw("POST", "/responses", json={"input": "hi"})
    assert script.bodies() == [
        {"model": "gpt-4o", "input": "hi", "max_output_tokens": 64},
        {"model": "other", "input": "hi", "max_output_tokens": 64},
        {"model": "gpt-4o", "input": "hi", "max_output_tokens": 64, "stream": True},
        {"input": "hi"},
    ]


def test_the_budget_is_thread_safe() -> None:
    budget = Budget(max_requests=500)
    granted: list[int] = []

    def spend() -> None:
        for _ in range(100):
            try:
                budget.charge_request()
            except BudgetExhausted:
                continue
            granted.append(1)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 500 == budget.spent
