"""The exchange rules on the real recorded sessions that exercise them: each holds there, and fails once the
session is broken the way the rule forbids."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from sessions import RECORDINGS, load_sessions

from conformance.contract.exchange import Exchange, Session
from conformance.contract.exchange_rules import Outcome, judge

pytestmark = pytest.mark.skipif(
    not RECORDINGS.is_dir(), reason=f"the shared recordings are not at {RECORDINGS}"
)

REAL = [
    ("exchange.stream.conforms", "otel-python-contrib__test_responses_retrieve_stream_existing_response"),
    (
        "exchange.stream.conforms",
        "pydantic-ai__test_openai_responses.test_openai_responses_model_mcp_list_tools_"
        "stream_backfills_missing_results",
    ),
    ("exchange.body.conforms", "openai-dotnet__ResponsesTests.CanDeleteResponse.vb3b4bbb"),
    ("exchange.error.envelope", "azure-sdk-assets__ResponsesTests.WebSearchNotSupported"),
    ("exchange.not_found.status", "azure-sdk-assets__ResponsesTests.CanDeleteResponse_gpt-4o-mini"),
    ("exchange.retrieve.equals_create", "openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync"),
    (
        "exchange.retrieve.equals_create",
        "pydantic-ai__test_openai_responses.test_background_mode_with_tool_vcr",
    ),
    ("exchange.create.parameters_echoed", "mirascope__test_call_with_params.azure-openai_responses_gpt_4o_mini"),
    ("exchange.create.parameters_echoed", "azure-sdk-assets__ResponsesTests.ResponsesWithReasoning"),
    ("exchange.delete.acknowledged", "azure-sdk-assets__ResponsesTests.CanDeleteResponse_gpt-4o-mini"),
    ("exchange.delete.then_not_found", "openai-dotnet__ResponsesTests.CanDeleteResponse.vb3b4bbb"),
    ("exchange.cancel.background_only", "openai-dotnet__ResponsesTests.CanCancelBackgroundResponsesAsync"),
    ("exchange.cancel.cancelled", "openai-dotnet__ResponsesTests.CanCancelBackgroundResponses.vb3b4bbb"),
    ("exchange.input_items.page", "openai-dotnet__ResponseStoreTests.GetInputItemsCollectionPage.vb3b4bbb"),
    ("exchange.input_items.own_input", "openai-dotnet__ResponsesTests.CustomToolCallWorksAsync"),
    (
        "exchange.input_items.own_input",
        "openai-dotnet__ResponsesTests.AllInstructionMethodsWork_DeveloperMessage.vb3b4bbb",
    ),
    ("exchange.input_items.full_context", "openai-dotnet__ResponsesTests.CustomToolCallWorksAsync"),
    ("exchange.resume.continues", "openai-dotnet__ResponsesTests.CanUseStreamingBackgroundResponsesAsync"),
    (
        "exchange.background.status_flow",
        "pydantic-ai__test_openai_responses.test_background_mode_with_tool_vcr",
    ),
]


@pytest.fixture(scope="module")
def recorded() -> dict[str, Session]:
    return {r.session.name: r.session for r in load_sessions()}


def outcomes(rule: str, built: Session) -> list[Outcome]:
    return judge(built, [rule])


@pytest.mark.parametrize(("rule", "name"), REAL, ids=[f"{r}-{n.split('__')[1][:40]}" for r, n in REAL])
def test_the_recorded_session_holds_the_rule(rule: str, name: str, recorded: dict[str, Session]) -> None:
    found = outcomes(rule, recorded[name])
    assert found and all(o.ok for o in found), found


def _edit(built: Session, index: int, **fields: Any) -> Session:
    exchanges = list(built.exchanges)
    exchanges[index] = dataclasses.replace(exchanges[index], **fields)
    return dataclasses.replace(built, exchanges=tuple(exchanges))


def _then(built: Session, exchange: Exchange) -> Session:
    return dataclasses.replace(built, exchanges=(*built.exchanges, exchange))


def test_the_recorded_sessions_fail_once_broken(recorded: dict[str, Session]) -> None:
    deleted = recorded["azure-sdk-assets__ResponsesTests.CanDeleteResponse_gpt-4o-mini"]
    survived = _edit(deleted, 3, status=200, body=deleted.exchanges[1].body)
    assert {v.rule for o in judge(survived, ["exchange.delete.then_not_found"]) for v in o.violations} == {
        "exchange.delete.then_not_found"
    }
    background = recorded["openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync"]
    tail = copy.deepcopy(background.exchanges[2].events or [])
    tail.pop(10)
    (outcome,) = judge(_edit(background, 2, events=tail, sse=None), ["exchange.resume.continues"])
    assert [v.message for v in outcome.violations] == ["the replay skips events of the original stream"]
    chained = recorded["openai-dotnet__ResponsesTests.CustomToolCallWorksAsync"]
    body = copy.deepcopy(chained.exchanges[2].body)
    body["data"].reverse()
    (outcome,) = judge(_edit(chained, 2, body=body), ["exchange.input_items.own_input"])
    assert [v.pointer for v in outcome.violations] == ["/2/body/data/0"]


def test_a_chained_response_lists_the_whole_conversation_newest_first(recorded: dict[str, Session]) -> None:
    # openai-dotnet CustomToolCallWorksAsync__3: the tool output, the earlier tool call, the first user message.
    chained = recorded["openai-dotnet__ResponsesTests.CustomToolCallWorksAsync"]
    body = chained.exchanges[2].body
    assert [item["type"] for item in body["data"]] == [
        "custom_tool_call_output",
        "custom_tool_call",
        "message",
    ]
    only_new = {**body, "data": body["data"][:1], "last_id": body["data"][0]["id"]}
    (outcome,) = judge(_edit(chained, 2, body=only_new), ["exchange.input_items.full_context"])
    assert [v.message for v in outcome.violations] == ["the list ends before the conversation does"]
    swapped = {**body, "data": [body["data"][0], body["data"][2], body["data"][1]]}
    (outcome,) = judge(_edit(chained, 2, body=swapped), ["exchange.input_items.full_context"])
    assert [v.pointer for v in outcome.violations] == ["/2/body/data/1", "/2/body/data/2"]


def test_a_second_cancel_may_differ_only_in_what_the_contract_leaves_open(
    recorded: dict[str, Session],
) -> None:
    # The real cancel of openai-dotnet CanCancelBackgroundResponses answers a queued response with status
    # cancelled; a second cancel answering the same object with billing and a resolved service_tier is idempotent.
    cancelled = recorded["openai-dotnet__ResponsesTests.CanCancelBackgroundResponses.vb3b4bbb"]
    (at,) = [i for i, x in enumerate(cancelled.exchanges) if x.kind == "cancel"]
    first = cancelled.exchanges[at]
    again = {**copy.deepcopy(first.body), "billing": {"payer": "developer"}, "service_tier": "default"}
    (outcome,) = judge(
        _then(cancelled, dataclasses.replace(first, body=again)), ["exchange.cancel.idempotent"]
    )
    assert outcome.ok, outcome
    finished = {**again, "status": "completed"}
    (outcome,) = judge(
        _then(cancelled, dataclasses.replace(first, body=finished)), ["exchange.cancel.idempotent"]
    )
    assert [v.pointer for v in outcome.violations] == [f"/{len(cancelled.exchanges)}/body/status"]


def test_a_recorded_create_whose_parameters_were_dropped_fails(recorded: dict[str, Session]) -> None:
    # mirascope call_with_params on Azure gpt-4o-mini: temperature 0.7 and top_p 0.3, both echoed; a gateway that
    # drops them before forwarding gets the defaults back.
    real = recorded["mirascope__test_call_with_params.azure-openai_responses_gpt_4o_mini"]
    body = {**copy.deepcopy(real.exchanges[0].body), "temperature": 1.0, "top_p": 1.0}
    (outcome,) = judge(_edit(real, 0, body=body), ["exchange.create.parameters_echoed"])
    assert [v.pointer for v in outcome.violations] == ["/0/body/temperature", "/0/body/top_p"]
