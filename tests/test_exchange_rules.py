"""Exchange rules: each one fails on a small session that breaks it and passes on one that holds (the real
recorded sessions that exercise them: tests/recordings/test_recorded_rules.py)."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from conformance.contract.exchange import Exchange, Session, route_of
from conformance.contract.exchange_rules import Outcome, exchange_rules, judge
from conformance.contract.rules import all_rules

RID = "resp_0001"
MSG = "msg_0001"
TEXT = ["Hello", ", ", "world"]
Build = Callable[[], Session]


def response(status: str = "completed", rid: str = RID, **fields: Any) -> dict[str, Any]:
    """A conforming Response object; a running one has no output and no usage yet."""
    done = status in ("completed", "incomplete", "failed", "cancelled")
    message = {"id": MSG, "type": "message", "status": "completed", "role": "assistant",
               "content": [{"type": "output_text", "text": "".join(TEXT), "annotations": [], "logprobs": []}]}
    usage = {"input_tokens": 5, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 3,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 8}
    return {"id": rid, "object": "response", "created_at": 1751569118, "status": status, "error": None,
            "incomplete_details": None, "instructions": None, "model": "gpt-4o-mini-2024-07-18",
            "output": [message] if status == "completed" else [], "previous_response_id": None, "store": True,
            "background": False, "tools": [], "usage": usage if done else None, **fields}


def events(final: dict[str, Any], *, background: bool = False) -> list[dict[str, Any]]:
    """The events of a well-formed stream ending with ``final`` (one message of three text deltas)."""
    start = {**final, "status": "queued" if background else "in_progress", "output": [], "usage": None}
    part = final["output"][0]["content"][0]
    item = final["output"][0]
    out: list[dict[str, Any]] = [
        {"type": "response.created", "response": start},
        *([{"type": "response.queued", "response": start}] if background else []),
        {"type": "response.in_progress", "response": {**start, "status": "in_progress"}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {**item, "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "item_id": MSG, "output_index": 0, "content_index": 0,
         "part": {**part, "text": ""}},
        *({"type": "response.output_text.delta", "item_id": MSG, "output_index": 0, "content_index": 0,
           "delta": piece, "logprobs": []} for piece in TEXT),
        {"type": "response.output_text.done", "item_id": MSG, "output_index": 0, "content_index": 0,
         "text": part["text"], "logprobs": []},
        {"type": "response.content_part.done", "item_id": MSG, "output_index": 0, "content_index": 0, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": final},
    ]
    return [{**event, "sequence_number": n} for n, event in enumerate(out)]


def x(method: str, path: str, body: Any = None, *, status: int = 200, request: Any = None,
      stream: list[dict[str, Any]] | None = None) -> Exchange:
    """An exchange of the openai URL style (``/v1`` + ``path``)."""
    exchange = Exchange.from_raw(method, "/v1" + path, request=request, status=status, body=body)
    return exchange if stream is None else dataclasses.replace(exchange, events=stream)


def create(body: dict[str, Any] | None = None, **request: Any) -> Exchange:
    return x("POST", "/responses", body if body is not None else response(), request={"model": "gpt-4o-mini",
             "input": "Say hello.", **request})


def streamed(final: dict[str, Any] | None = None, *, background: bool = False) -> Exchange:
    request = {"model": "gpt-4o-mini", "input": "Say hello.", "stream": True, "background": background}
    return x("POST", "/responses", request=request, stream=events(final or response(background=background),
                                                                   background=background))


def not_found(rid: str = RID) -> dict[str, Any]:
    return {"error": {"message": f"Response with id '{rid}' not found.", "type": "invalid_request_error",
                      "param": None, "code": None}}


def session(*exchanges: Exchange, profile: str = "openai") -> Session:
    return Session.of("hand-made", exchanges, profile)


def changed(value: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**copy.deepcopy(value), **fields}


def listed(*ids_and_texts: tuple[str, str], has_more: bool = False) -> dict[str, Any]:
    data = [{"id": i, "type": "message", "role": "user", "status": "completed",
             "content": [{"type": "input_text", "text": t}]} for i, t in ids_and_texts]
    return {"object": "list", "data": data, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "has_more": has_more}


def resumed(final: dict[str, Any], after: int, *, edit: Callable[[list[dict[str, Any]]], None] | None = None,
            background: bool = True) -> Exchange:
    tail = copy.deepcopy(events(final, background=background)[after + 1:])
    if edit is not None:
        edit(tail)
    return x("GET", f"/responses/{RID}?stream=true&starting_after={after}", stream=tail)


BACKGROUND = response("queued", background=True)
DONE_BACKGROUND = response(background=True, service_tier="default", billing={"payer": "developer"})
OTHER_USAGE = {"input_tokens": 5, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 0,
               "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 5}
TWO_NOTES: dict[str, Any] = {"input": [{"role": "user", "content": "First."}, {"role": "user", "content": "Second."}]}

CHAINED = create(response(rid="resp_0002", previous_response_id=RID), previous_response_id=RID, input="Again.")
CONVERSATION: dict[str, Any] = {**listed(("msg_b", "Again."), ("msg_in", "Say hello.")), "last_id": "msg_in"}
CONVERSATION["data"].insert(1, {**response()["output"][0]})  # the previous response's answer, between the turns

# (rule, a session that breaks it, a session that holds it)
CASES: list[tuple[str, Build, Build]] = [
    ("exchange.stream.conforms",
     lambda: session(dataclasses.replace(streamed(), events=[
         {k: v for k, v in e.items() if k != "sequence_number"} for e in streamed().events or []])),
     lambda: session(streamed())),
    ("exchange.body.conforms",
     lambda: session(create(changed(response(), usage={"input_tokens": 5, "output_tokens": 3, "total_tokens": 9}))),
     lambda: session(create())),
    ("exchange.error.envelope",
     lambda: session(x("POST", "/responses", {"message": "bad model"}, status=400)),
     lambda: session(x("POST", "/responses", {"error": {"message": "Missed model deployment"}}, status=400),
                     profile="azure")),
    ("exchange.not_found.status",
     lambda: session(x("GET", f"/responses/{RID}", not_found(), status=400)),
     lambda: session(x("GET", f"/responses/{RID}", not_found(), status=404))),
    ("exchange.retrieve.equals_create",
     lambda: session(create(), x("GET", f"/responses/{RID}", changed(response(), model="gpt-4o"))),
     lambda: session(create(), x("GET", f"/responses/{RID}",
                                 changed(response(), billing={"payer": "developer"}, completed_at=1751569120)))),
    ("exchange.delete.acknowledged",
     lambda: session(x("DELETE", f"/responses/{RID}", {"id": "resp_other", "object": "response.deleted",
                                                      "deleted": True})),
     lambda: session(x("DELETE", f"/responses/{RID}", {"id": RID, "object": "response.deleted", "deleted": True}))),
    ("exchange.delete.then_not_found",
     lambda: session(create(), x("DELETE", f"/responses/{RID}", {"id": RID, "object": "response.deleted",
                                                                "deleted": True}),
                     x("GET", f"/responses/{RID}/input_items", listed(("msg_in", "Say hello.")))),
     lambda: session(create(), x("DELETE", f"/responses/{RID}", {"id": RID, "object": "response.deleted",
                                                                "deleted": True}),
                     x("GET", f"/responses/{RID}", not_found(), status=404))),
    ("exchange.store_false.not_retrievable",
     lambda: session(create(response(store=False), store=False), x("GET", f"/responses/{RID}", response())),
     lambda: session(create(response(store=False), store=False),
                     x("GET", f"/responses/{RID}", not_found(), status=404))),
    ("exchange.store_false.not_chainable",
     lambda: session(create(response(store=False), store=False),
                     create(response(rid="resp_0002", previous_response_id=RID), previous_response_id=RID)),
     lambda: session(create(response(store=False), store=False),
                     x("POST", "/responses", {"error": {"message": "Previous response not found."}}, status=400,
                       request={"model": "gpt-4o-mini", "input": "Hi", "previous_response_id": RID}))),
    ("exchange.cancel.background_only",
     lambda: session(create(), x("POST", f"/responses/{RID}/cancel", response())),
     lambda: session(create(), x("POST", f"/responses/{RID}/cancel", {"error": {"message": "Cannot cancel a "
                                 "synchronous response."}}, status=400))),
    ("exchange.cancel.cancelled",
     lambda: session(create(BACKGROUND, background=True),
                     x("POST", f"/responses/{RID}/cancel", response("in_progress", background=True))),
     lambda: session(create(BACKGROUND, background=True),
                     x("POST", f"/responses/{RID}/cancel", response("cancelled", background=True)))),
    ("exchange.cancel.idempotent",
     lambda: session(create(BACKGROUND, background=True),
                     x("POST", f"/responses/{RID}/cancel", response("cancelled", background=True)),
                     x("POST", f"/responses/{RID}/cancel", response("cancelled", background=True, usage=OTHER_USAGE))),
     lambda: session(create(BACKGROUND, background=True),
                     x("POST", f"/responses/{RID}/cancel", response("cancelled", background=True)),
                     x("POST", f"/responses/{RID}/cancel", response("cancelled", background=True)))),
    ("exchange.input_items.page",
     lambda: session(x("GET", f"/responses/{RID}/input_items",
                       {**listed(("msg_b", "Second."), ("msg_a", "First.")), "first_id": "msg_a"})),
     lambda: session(x("GET", f"/responses/{RID}/input_items?limit=2",
                       listed(("msg_b", "Second."), ("msg_a", "First."), has_more=True)))),
    ("exchange.input_items.own_input",
     lambda: session(create(**TWO_NOTES), x("GET", f"/responses/{RID}/input_items",
                                            listed(("msg_a", "First."), ("msg_b", "Second.")))),
     lambda: session(create(**TWO_NOTES), x("GET", f"/responses/{RID}/input_items",
                                            listed(("msg_b", "Second."), ("msg_a", "First."))))),
    ("exchange.input_items.full_context",
     lambda: session(create(), CHAINED, x("GET", "/responses/resp_0002/input_items", listed(("msg_b", "Again.")))),
     lambda: session(create(), CHAINED, x("GET", "/responses/resp_0002/input_items", CONVERSATION))),
    ("exchange.resume.continues",
     lambda: session(streamed(DONE_BACKGROUND, background=True),
                     resumed(DONE_BACKGROUND, 3, edit=lambda tail: tail[3].update(delta="!"))),
     lambda: session(streamed(DONE_BACKGROUND, background=True), resumed(DONE_BACKGROUND, 3))),
    ("exchange.create.parameters_echoed",
     lambda: session(create(response(temperature=1.0, metadata={}), temperature=0.4, metadata={"k": "v"})),
     lambda: session(create(response(temperature=0.4000000059604645, metadata={"k": "v"}), temperature=0.4,
                            metadata={"k": "v"}, top_p=None))),
    ("exchange.background.status_flow",
     lambda: session(create(BACKGROUND, background=True), x("GET", f"/responses/{RID}", DONE_BACKGROUND),
                     x("GET", f"/responses/{RID}", response("in_progress", background=True))),
     lambda: session(create(BACKGROUND, background=True),
                     x("GET", f"/responses/{RID}", response("in_progress", background=True)),
                     x("GET", f"/responses/{RID}", DONE_BACKGROUND))),
]


def outcomes(rule: str, built: Session) -> list[Outcome]:
    return judge(built, [rule])


# The rules that reuse the contract core report the core's rule IDs in their violations.
INNER = {"exchange.stream.conforms": {"stream.sequence.present", "schema.required"},
         "exchange.body.conforms": {"invariant.usage.totals"}, "exchange.error.envelope": {"schema.required"}}


@pytest.mark.parametrize(("rule", "broken", "holding"), CASES, ids=[c[0] for c in CASES])
def test_rule_fails_on_a_session_that_breaks_it(rule: str, broken: Build, holding: Build) -> None:
    found = [o for o in judge(broken()) if o.violations]
    assert {o.rule for o in found} == {rule}  # each broken session breaks exactly one rule
    assert {v.rule for o in found for v in o.violations} == INNER.get(rule, {rule})


@pytest.mark.parametrize(("rule", "broken", "holding"), CASES, ids=[c[0] for c in CASES])
def test_rule_passes_on_a_session_that_holds_it(rule: str, broken: Build, holding: Build) -> None:
    found = outcomes(rule, holding())
    assert found and all(o.ok for o in found), found


def test_every_exchange_rule_has_a_case() -> None:
    assert {r.id for r in all_rules() if r.area == "exchange"} == {c[0] for c in CASES}
    assert [r.id for r in exchange_rules()] == sorted(c[0] for c in CASES)


def test_every_holding_session_passes_every_rule() -> None:
    for rule, _, holding in CASES:
        bad = [o for o in judge(holding()) if o.violations]
        assert bad == [], rule


def test_a_rule_that_lacks_an_exchange_is_not_exercised() -> None:
    alone = session(x("GET", f"/responses/{RID}", response()))
    (retrieve,) = outcomes("exchange.retrieve.equals_create", alone)
    assert not retrieve.exercised and retrieve.missing == f"the create of {RID}" and not retrieve.ok
    (cancel,) = outcomes("exchange.cancel.idempotent", session(
        create(BACKGROUND, background=True), x("POST", f"/responses/{RID}/cancel", response("cancelled"))))
    assert cancel.missing == f"a second cancel of {RID}"
    (replay,) = outcomes("exchange.resume.continues", session(resumed(DONE_BACKGROUND, 3)))
    assert replay.missing == f"the original stream of {RID}"


# -- what each rule accepts, because real servers do it ---------------------------------------------------------


def test_keepalive_events_are_legal_in_the_openai_and_azure_profiles() -> None:
    stream = streamed().events or []
    numbered = [{**e, "sequence_number": n} for n, e in enumerate([*stream[:5], {"type": "keepalive"}, *stream[5:]])]
    for profile in ("openai", "azure"):  # OpenAI sends {"type": "keepalive", "sequence_number": 466} (openai-node#1964)
        built = session(dataclasses.replace(streamed(), events=numbered), profile=profile)
        assert all(o.ok for o in outcomes("exchange.stream.conforms", built)), profile
    built = session(dataclasses.replace(streamed(), events=numbered), profile="open-responses")
    assert "stream.keepalive.profile" in {v.rule for o in outcomes("exchange.stream.conforms", built)
                                          for v in o.violations}


def test_a_retrieve_after_a_stream_may_add_billing_and_resolve_service_tier() -> None:
    final = response(service_tier="auto")
    retrieved = changed(final, billing={"payer": "developer"}, service_tier="default", completed_at=1751569120)
    built = session(streamed(final), x("GET", f"/responses/{RID}", retrieved))
    assert all(o.ok for o in outcomes("exchange.retrieve.equals_create", built))
    lost = changed(retrieved, output=[])
    (outcome,) = outcomes("exchange.retrieve.equals_create", session(streamed(final),
                                                                     x("GET", f"/responses/{RID}", lost)))
    assert [v.pointer for v in outcome.violations] == ["/1/body/output"]


def test_a_queued_create_is_compared_on_what_is_fixed_at_creation_only() -> None:
    built = session(create(BACKGROUND, background=True), x("GET", f"/responses/{RID}", DONE_BACKGROUND))
    assert all(o.ok for o in outcomes("exchange.retrieve.equals_create", built))
    other = changed(DONE_BACKGROUND, tools=[{"type": "web_search"}])
    (outcome,) = outcomes("exchange.retrieve.equals_create",
                          session(create(BACKGROUND, background=True), x("GET", f"/responses/{RID}", other)))
    assert [v.pointer for v in outcome.violations] == ["/1/body/tools"]


def test_a_background_store_false_response_may_be_retrieved() -> None:
    queued = changed(BACKGROUND, store=False)
    built = session(create(queued, background=True), x("GET", f"/responses/{RID}", changed(DONE_BACKGROUND,
                                                                                          store=False)))
    assert outcomes("exchange.store_false.not_retrievable", built) == []


def test_input_items_of_a_chained_response_may_list_the_whole_conversation_newest_first() -> None:
    chained = create(response(rid="resp_0002", previous_response_id=RID), previous_response_id=RID,
                     input=[{"type": "function_call_output", "call_id": "call_1", "output": "22 C"}])
    conversation: dict[str, Any] = {
        "object": "list", "has_more": False, "first_id": "fco_1", "last_id": "msg_in", "data": [
        {"id": "fco_1", "type": "function_call_output", "call_id": "call_1", "output": "22 C"},
        {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "weather", "arguments": "{}"},
        {"id": "msg_in", "type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]}
    built = session(create(), chained, x("GET", "/responses/resp_0002/input_items", conversation))
    assert all(o.ok for o in outcomes("exchange.input_items.own_input", built))
    ascending = {**conversation, "data": conversation["data"][::-1], "first_id": "msg_in", "last_id": "fco_1"}
    built = session(create(), chained, x("GET", "/responses/resp_0002/input_items?order=asc", ascending))
    assert all(o.ok for o in outcomes("exchange.input_items.own_input", built))


def test_an_azure_error_with_a_message_alone_is_an_envelope() -> None:
    built = session(x("POST", "/responses", {"error": {"message": "Missed model deployment"}}, status=400),
                    profile="azure")
    assert all(o.ok for o in outcomes("exchange.error.envelope", built))
    built = session(x("POST", "/responses", b"Bad Request", status=400))
    (outcome,) = outcomes("exchange.error.envelope", built)
    assert [v.pointer for v in outcome.violations] == ["/0/body"]


def test_a_cancel_of_a_finished_response_answers_its_terminal_status() -> None:
    done = session(create(BACKGROUND, background=True), x("GET", f"/responses/{RID}", DONE_BACKGROUND),
                   x("POST", f"/responses/{RID}/cancel", DONE_BACKGROUND))
    assert all(o.ok for o in outcomes("exchange.cancel.cancelled", done))
    flipped = session(create(BACKGROUND, background=True), x("GET", f"/responses/{RID}", DONE_BACKGROUND),
                      x("POST", f"/responses/{RID}/cancel", response("cancelled", background=True)))
    (outcome,) = outcomes("exchange.cancel.cancelled", flipped)
    assert [(v.expected, v.found) for v in outcome.violations] == [("completed", "'cancelled'")]


def test_a_replay_repeats_history_without_breaking_the_status_flow() -> None:
    built = session(streamed(DONE_BACKGROUND, background=True), x("GET", f"/responses/{RID}", DONE_BACKGROUND),
                    resumed(DONE_BACKGROUND, 0))
    assert all(o.ok for o in judge(built))


# -- the exchange model ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "route"), [
    ("/v1/responses", "/responses"),
    ("/openai/v1/responses/resp_1/cancel", "/responses/resp_1/cancel"),
    ("/openai/responses/resp_1?api-version=2025-04-01-preview", "/responses/resp_1"),
    ("https://x.services.ai.azure.com/api/projects/p1/openai/v1/responses", "/responses"),
    ("/api/projects/p1/openai/responses/", "/responses"),
    ("/responses/resp_1/input_items", "/responses/resp_1/input_items"),
])
def test_route_drops_the_url_style_prefix(path: str, route: str) -> None:
    assert route_of(path) == route


@pytest.mark.parametrize(("method", "path", "kind", "target"), [
    ("POST", "/v1/responses", "create", None),
    ("GET", "/v1/responses/resp_1", "retrieve", "resp_1"),
    ("GET", "/v1/responses/resp_1?stream=true&starting_after=4", "stream", "resp_1"),
    ("DELETE", "/v1/responses/resp_1", "delete", "resp_1"),
    ("POST", "/v1/responses/resp_1/cancel", "cancel", "resp_1"),
    ("GET", "/v1/responses/resp_1/input_items?limit=2", "input_items", "resp_1"),
    ("POST", "/v1/responses/input_tokens", "input_tokens", None),
    ("POST", "/v1/responses/compact", "compact", None),
    ("GET", "/v1/files", "other", None),
])
def test_kind_and_target_follow_method_and_route(method: str, path: str, kind: str, target: str | None) -> None:
    exchange = Exchange.from_raw(method, path)
    assert (exchange.kind, exchange.target) == (kind, target)


def test_from_raw_parses_json_and_sse_bodies() -> None:
    sse = "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0}\n\ndata: [DONE]\n\n"
    streamed_ = Exchange.from_raw("GET", "/v1/responses/r?stream=true&starting_after=2", body=sse.encode(),
                                  content_type="text/event-stream", headers={"X-Request-Id": "1"})
    assert streamed_.events == [{"type": "response.created", "sequence_number": 0}]
    assert [e.event for e in streamed_.stream_events] == ["response.created", None]  # [DONE] kept for the grammar
    assert (streamed_.starting_after, streamed_.headers) == (2, {"x-request-id": "1"})
    answered = Exchange.from_raw("POST", "/v1/responses", request='{"model": "m"}', body=b'{"id": "r"}')
    assert (answered.request, answered.body, answered.events) == ({"model": "m"}, {"id": "r"}, None)
    assert Exchange.from_raw("DELETE", "/v1/responses/r", request=b"", body="not json").body is None


def test_session_links_exchanges_by_response_id() -> None:
    built = session(create(), x("GET", f"/responses/{RID}", response()), create(response(rid="resp_0002")),
                    x("DELETE", f"/responses/{RID}", {"id": RID, "object": "response.deleted", "deleted": True}))
    assert built.about(RID) == [0, 1, 3]
    assert (built.creation(RID), built.creation("resp_0002"), built.creation("resp_x")) == (0, 2, None)
    assert built.response_ids() == [RID, "resp_0002"]
    assert built.created_with(RID) == {"model": "gpt-4o-mini", "input": "Say hello."}


def test_an_unknown_rule_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown exchange rule"):
        judge(session(create()), ["exchange.nope"])
