"""Parameters reach the model: an unknown one is refused by name, and what the model takes is echoed as sent."""

from __future__ import annotations

import re
from typing import Any

from conformance.checks._answers import refused
from conformance.checks._check import ContractViolation, check, expect
from conformance.checks._exchanges import expect_rules, sent
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._turns import ask
from conformance.client import ApiResponse, ResponsesClient
from conformance.matrix import Cell

UNKNOWN = "rc_probe_unknown_parameter"
RECORDINGS = "../shared/reference/recordings"
UNKNOWN_EVIDENCE = (
    "OpenAI answers 400 {\"error\": {\"message\": \"Unknown parameter: 'x'.\", \"type\": \"invalid_request_error\", "
    "\"param\": \"x\", \"code\": \"unknown_parameter\"}} (openai/codex#10834, pydantic/pydantic-ai#3653, "
    "1jehuang/jcode#1028); Azure the same (lobehub/lobehub#10567, run-llama/llama_index#17731), but its "
    "Responses API names a parameter it refuses in the message only, param null (egoist/chatwise-releases#1023), "
    "so under the azure profile the message may name it instead; a gateway that rebuilds the body from an "
    "allow-list drops it and answers 200 (BerriAI/litellm#34926)"
)
SAMPLING_EVIDENCE = (
    f"{RECORDINGS}: temperature / top_p echoed as sent by OpenAI (gpt-4o, gpt-4.1, gpt-5.1, gpt-5.4) and Azure "
    "(mirascope__test_call_with_params.azure-openai_responses_gpt_4o_mini); reasoning models refuse them with 400 "
    "param temperature, code null, not unsupported_parameter (mirascope__test_call_with_params.openai_gpt_5_mini, "
    "pydantic-ai__test_model_capabilities_gpt-5-codex; BerriAI/litellm#11722); presence_penalty / "
    "frequency_penalty are Open Responses create parameters (openresponses-openapi-2026-04-24) that OpenAI's "
    "CreateResponse and openai-python 3.57.0 do not list, so a clean refusal by name is allowed under the openai "
    "and azure profiles; a gateway dropping one answers the default (huggingface/lighteval#1193)"
)
FIELDS_EVIDENCE = (
    "openai-openapi.yaml CreateResponse (metadata, user, truncation, prompt_cache_retention); "
    f"{RECORDINGS}: metadata echoed by OpenAI and Azure (openai-dotnet__ResponsesTests.ResponsesWithReasoningAsync, "
    "azure-sdk-assets__ResponsesTests.ResponsesWithReasoning), user (dd-trace-py__v1.response), truncation auto "
    "(azure-sdk-assets__ResponsesTests.TwoTurnCrossModel), prompt_cache_retention (openai-dotnet__ResponsesTests."
    "ResponsesWithPromptCacheAsync); Azure's v1 spec (azure-v1-preview-responses-excerpt.yaml) does not list "
    "prompt_cache_retention, so Azure may refuse it by name; a gateway dropping metadata: BerriAI/litellm#34926"
)
PENALTIES = {"presence_penalty": 0.5, "frequency_penalty": 0.25}
SAMPLING = {"temperature": 0.4, "top_p": 0.7}
FIELDS = {"metadata": {"rc_probe": "parameters"}, "user": "rc-probe-user", "truncation": "auto"}
RETENTION = {"prompt_cache_retention": "in_memory"}
UNECHOED = {*PENALTIES, *RETENTION}  # fields older responses lack (517 OpenAI and 110 Azure ones lack the penalties)


def _error(reply: ApiResponse) -> dict[str, Any]:
    body = reply.body if isinstance(reply.body, dict) else {}
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _quoted(name: str, message: Any) -> bool:
    return isinstance(message, str) and re.search(rf"['\"`]{re.escape(name)}['\"`]", message) is not None


def names(reply: ApiResponse, name: str, profile: str) -> bool:
    """The refusal names the parameter in param (under the azure profile, or with param null in its message)."""
    error = _error(reply)
    if error.get("param") == name:
        return True
    return profile == "azure" and error.get("param") is None and _quoted(name, error.get("message"))


def _named(reply: ApiResponse, candidates: dict[str, Any], profile: str) -> str | None:
    return next((name for name in candidates if names(reply, name, profile)), None)


@check("parameters.unknown.refused", owns=ENVELOPE, spec=UNKNOWN_EVIDENCE, requires=("text",), profiles=("openai", "azure"))
def test_unknown_parameter_is_refused_by_name(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A create request with an unknown parameter MUST be refused with 400 and an error whose param names it.

    Under the openai profile its code is unknown_parameter; under the azure profile the message may name it.
    """
    body = {"model": cell.deployment, **ask(cell, "Say hello."), UNKNOWN: "x"}
    reply = client.raw("POST", "/responses", json=body)
    if reply.ok and isinstance(reply.body, dict) and isinstance(reply.body.get("id"), str):
        client.delete(reply.body["id"])
    expect(not reply.ok, "an unknown parameter was silently dropped", expected=f"400 naming {UNKNOWN}",
           actual=f"{reply.status_code}: the request was answered as if {UNKNOWN} had not been sent")
    refused(reply, judge, f"the unknown parameter {UNKNOWN}", statuses=(400,))
    error = _error(reply)
    expect(names(reply, UNKNOWN, cell.profile), "the refusal does not name the unknown parameter",
           expected=f"param {UNKNOWN!r}", actual=f"param {error.get('param')!r}: {error.get('message')!r}")
    if cell.profile == "openai":
        expect(error.get("code") == "unknown_parameter", "the refusal of an unknown parameter has another code",
               expected="unknown_parameter", actual=repr(error.get("code")))


def echoed(cell: Cell, client: ResponsesClient, judge: Judge, params: dict[str, Any], refusable: set[str],
           what: str) -> list[str]:
    """Send ``params`` until accepted; those ``refusable`` may be refused one at a time by name (each refusal
    drops it), the others must be accepted and every accepted one echoed as sent (exchange.create.parameters_echoed).
    Returns the names refused."""
    left, dropped = dict(params), list[str]()
    while left:
        body = {"model": cell.deployment, **ask(cell, "Say hello."), **left}
        reply = client.create(body)
        if reply.ok:
            judge.response(reply.body, f"the response to {what} does not conform")
            expect_rules(f"{what} did not reach the model as sent", cell.profile,
                         [sent("POST", "/responses", reply, body)], "exchange.create.parameters_echoed")
            missing = [name for name in left if name not in UNECHOED and name not in (reply.body or {})]
            expect(not missing, f"the response to {what} does not echo the parameters", expected=sorted(left),
                   actual=f"missing: {', '.join(missing)}")
            return dropped
        refused(reply, judge, what, statuses=(400,))
        name = _named(reply, left, cell.profile)
        if name is None:
            error = _error(reply)
            raise ContractViolation(f"{what} was refused without naming the parameter refused",
                                    expected=f"param one of {sorted(left)}",
                                    actual=f"param {error.get('param')!r}: {error.get('message')!r}")
        expect(name in refusable, f"{what} was refused on {name}, which this model must accept",
               expected=f"{name} accepted and echoed", actual=f"400 naming {name}: {_error(reply).get('message')!r}")
        dropped.append(name)
        del left[name]
    return dropped


@check("parameters.sampling.echoed", spec=SAMPLING_EVIDENCE, requires=("text",))
def test_sampling_parameters_are_echoed(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A create request's temperature, top_p and penalties MUST be echoed as sent, or refused with 400 by name.

    A reasoning model may refuse temperature and top_p, and the openai and azure profiles presence_penalty and
    frequency_penalty (not in their create schema); any other refusal, and any silent drop, fails.
    """
    refusable = set(SAMPLING) if "reasoning" in cell.capabilities else set()
    if cell.profile != "open-responses":
        refusable |= set(PENALTIES)
    echoed(cell, client, judge, {**SAMPLING, **PENALTIES}, refusable, "a request setting sampling parameters")


@check("parameters.fields.echoed", spec=FIELDS_EVIDENCE, requires=("text",))
def test_request_fields_are_echoed(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A create request's metadata, user, truncation and prompt_cache_retention MUST be echoed as sent.

    Under the azure profile prompt_cache_retention may be refused with 400 by name (Azure's spec lacks it);
    the open-responses profile declares only metadata and truncation.
    """
    if cell.profile == "open-responses":
        params: dict[str, Any] = {k: v for k, v in FIELDS.items() if k != "user"}
        refusable: set[str] = set()
    else:
        params = {**FIELDS, **RETENTION}
        refusable = set(RETENTION) if cell.profile == "azure" else set()
    echoed(cell, client, judge, params, refusable, "a request setting metadata, user and truncation")
