"""Exchange rules on the parameters of a create request: what the request set, its answer echoes."""

from __future__ import annotations

import math
from typing import Any

from conformance.contract._judging import Outcome, exchange_rule, place, violation
from conformance.contract.exchange import Session
from conformance.contract.rules import Level
from conformance.contract.violations import Violation

ECHOED = ("temperature", "top_p", "presence_penalty", "frequency_penalty", "metadata", "user", "truncation",
          "prompt_cache_retention")
"""The create parameters a Response object carries back (a null request value asks for the default)."""


def same(sent: Any, echoed: Any) -> bool:
    """The echo is the value sent (numbers compared to float32 precision: 0.7 may come back as 0.699999988)."""
    if _number(sent) and _number(echoed):
        return math.isclose(sent, echoed, rel_tol=1e-6, abs_tol=1e-9)
    return bool(sent == echoed)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@exchange_rule(
    "exchange.create.parameters_echoed",
    Level.MUST,
    "A create request that is accepted has its sampling and bookkeeping parameters (temperature, top_p, "
    "presence_penalty, frequency_penalty, metadata, user, truncation, prompt_cache_retention) echoed as sent "
    "by every Response object its answer carries that has the field.",
    "openai-openapi.yaml (Response: the ResponseProperties of CreateResponse it was created with); real "
    "recordings (../shared/reference/recordings): every accepted OpenAI and Azure create that sets one of them "
    "echoes it (temperature 0.7 / top_p 0.3 on Azure gpt-4o-mini: mirascope__test_call_with_params.azure-openai_"
    "responses_gpt_4o_mini; metadata on Azure: azure-sdk-assets__ResponsesTests.ResponsesWithReasoning); a gateway "
    "that drops one answers the default instead (BerriAI/litellm#34926, huggingface/lighteval#1193)",
)
def parameters_echoed(session: Session) -> list[Outcome]:
    rule = parameters_echoed.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        request = exchange.request
        if exchange.kind != "create" or not exchange.ok or not isinstance(request, dict):
            continue
        sent = {k: request[k] for k in ECHOED if request.get(k) is not None}
        responses = exchange.responses
        if not sent or not responses:
            continue
        part = "events" if exchange.events is not None else "body"
        found: list[Violation] = []
        for response in responses:
            for name, value in sent.items():
                if name in response and not same(value, response[name]):
                    at = _where(exchange.events, response) if part == "events" else ()
                    found.append(violation(rule, f"{name} is not echoed as sent", i, part, *at, name,
                                           expected=value, found=response[name]))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


def _where(events: list[dict[str, Any]] | None, response: dict[str, Any]) -> tuple[int | str, ...]:
    index = next((n for n, e in enumerate(events or []) if e.get("response") is response), 0)
    return (index, "response")
