"""The false failures of issue 21, each fed as the real recorded exchange to its check's judge: the verdict a
healthy OpenAI or Azure deployment deserves (and the judge still fails what the contract forbids)."""

from __future__ import annotations

import copy
import dataclasses
import glob
from pathlib import Path

import orjson
import pytest
from _recordings import RECORDINGS, needs_recordings, recorded_exchanges, recorded_session

from conformance.checks import (
    ContractViolation,
    registry,
    test_background,
    test_chaining,
    test_errors,
    test_streaming,
)
from conformance.checks._exchanges import expect_rules, rule_violations
from conformance.checks._judge import Judge
from conformance.client import ApiResponse
from conformance.contract.exchange import Session
from conformance.contract.sse import ServerSentEvent
from conformance.matrix import Cell, Credential
from conformance.report.model import Verdict
from conformance.run.outcome import load_known_issues, verdict_of

pytestmark = needs_recordings


def _session(cassette: str) -> Session:
    names = sorted(Path(p).name for p in glob.glob(str(RECORDINGS / f"{cassette}__*.json")))
    return recorded_session(*sorted(names, key=lambda n: int(n.rsplit("__", 1)[1].split(".")[0])))


def _cell(profile: str, api_style: str = "azure-v1") -> Cell:
    return Cell(
        provider=profile,
        region="test",
        deployment="d",
        model="gpt-4o-mini",
        model_version="",
        api_style=api_style,
        api_version="preview",
        endpoint="https://example.invalid",
        profile=profile,
        credential=Credential("api-key", "k", "test"),
        capabilities=frozenset({"text"}),
    )


def test_chained_input_items_list_the_whole_conversation_as_openai_does() -> None:
    # openai-dotnet CustomToolCallWorksAsync__3 lists the tool output, the earlier tool call and the first
    # user message: the retired chaining.input_items.only_new_input failed it; its replacement passes.
    session = _session("openai-dotnet__ResponsesTests.CustomToolCallWorksAsync")
    expect_rules("full context", "openai", session.exchanges, *test_chaining.FULL_CONTEXT)
    listing = session.exchanges[2]
    forgetful = {**listing.body, "data": listing.body["data"][:1]}
    with pytest.raises(ContractViolation):
        expect_rules(
            "full context",
            "openai",
            [*session.exchanges[:2], dataclasses.replace(listing, body=forgetful)],
            *test_chaining.FULL_CONTEXT,
        )


def test_a_retrieve_after_a_stream_may_gain_billing() -> None:
    # openai-dotnet CanStreamBackgroundResponsesAsync: the stream's terminal response has no billing, the
    # retrieve right after it has {"payer": "developer"}; the old whole-object comparison failed on it.
    create, retrieve, _ = _session(
        "openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync"
    ).exchanges
    assert "billing" not in (create.response or {}) and "billing" in (retrieve.response or {})
    assert rule_violations("openai", [create, retrieve], [test_streaming.RETRIEVE_EQUALS]) == []
    body = {**copy.deepcopy(retrieve.body), "service_tier": "default", "completed_at": 1770281799}
    assert (
        rule_violations(
            "openai", [create, dataclasses.replace(retrieve, body=body)], [test_streaming.RETRIEVE_EQUALS]
        )
        == []
    )
    lost = {**retrieve.body, "output": []}
    found = rule_violations(
        "openai", [create, dataclasses.replace(retrieve, body=lost)], [test_streaming.RETRIEVE_EQUALS]
    )
    assert [v.pointer for v in found] == ["/1/body/output"]


def test_a_second_cancel_may_add_billing_and_resolve_service_tier() -> None:
    # No recording cancels twice: the second answer is openai-dotnet CanCancelBackgroundResponses' real cancel
    # answer, with what OpenAI adds to JSON bodies (billing) and resolves (service_tier auto -> default).
    create, cancel = _session("openai-dotnet__ResponsesTests.CanCancelBackgroundResponses.vb3b4bbb").exchanges
    again = {**copy.deepcopy(cancel.body), "billing": {"payer": "developer"}, "service_tier": "default"}
    second = dataclasses.replace(cancel, body=again)
    assert rule_violations("openai", [create, cancel, second], [test_background.CANCEL_IDEMPOTENT]) == []
    running = dataclasses.replace(cancel, body={**again, "status": "in_progress"})
    assert rule_violations("openai", [create, cancel, running], [test_background.CANCEL_IDEMPOTENT])


def _with_keepalive(events: list[ServerSentEvent], at: int) -> list[ServerSentEvent]:
    """The stream with OpenAI's keepalive (openai/openai-node#1964) numbered ``at``, later ones on."""
    out = []
    for event in events:
        data = orjson.loads(event.data)
        number = data.get("sequence_number")
        if number == at:
            out.append(
                ServerSentEvent(
                    orjson.dumps({"type": "keepalive", "sequence_number": at}).decode(), "keepalive"
                )
            )
        if isinstance(number, int) and number >= at:
            event = ServerSentEvent(
                orjson.dumps({**data, "sequence_number": number + 1}).decode(), event.event
            )
        out.append(event)
    return out


@pytest.mark.parametrize("profile", ["openai", "azure"])
def test_a_keepalive_with_a_sequence_number_is_legal_in_a_real_stream(profile: str) -> None:
    (stream,) = recorded_exchanges("openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync__1.json")
    events = _with_keepalive(list(stream.stream_events), 5)
    Judge(profile).stream(events)  # the judge of every streaming check: no violation
    with pytest.raises(ContractViolation, match=r"stream\.keepalive\.profile"):
        Judge("open-responses").stream([*events, ServerSentEvent("[DONE]")])


def test_azure_missing_model_answer_is_a_known_issue_of_the_azure_profile() -> None:
    # azure-sdk-assets ResponsesTests.WebSearchNotSupported__1: 400 "Missed model deployment", nothing else.
    (exchange,) = recorded_exchanges("azure-sdk-assets__ResponsesTests.WebSearchNotSupported__1.json")
    assert exchange.request.get("model") is None
    reply = ApiResponse(exchange.status or 0, {}, exchange.body, str(exchange.body))
    with pytest.raises(ContractViolation) as caught:
        test_errors.judge_missing_model(reply, Judge("azure"))
    info = registry()["errors.missing_model.names_param"]
    issues = load_known_issues()
    assert verdict_of(caught.value, info, _cell("azure"), (), issues).verdict is Verdict.known_issue
    assert verdict_of(caught.value, info, _cell("openai", "openai"), (), issues).verdict is Verdict.failed


def test_resource_not_found_is_accepted_on_the_deployments_route_only() -> None:
    # Azure's deployments route answers a bad or missing api-version so (MicrosoftDocs/azure-docs
    # #114602); the v1 route answers 400 API version not supported.
    body = {"error": {"code": "404", "message": "Resource not found"}}
    assert 404 in test_errors.api_version_refusals("azure-deployments")
    assert test_errors.api_version_refusals("azure-v1") == (400,)
    Judge("azure").error(404, body, statuses=test_errors.api_version_refusals("azure-deployments"))
    with pytest.raises(ContractViolation):
        Judge("azure").error(404, body, statuses=test_errors.api_version_refusals("azure-v1"))
