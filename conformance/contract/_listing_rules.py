"""Exchange rules on what a stored response lists and replays: its input items and its stream."""

from __future__ import annotations

from typing import Any

from conformance.contract._judging import Outcome, exchange_rule, masked, place, violation
from conformance.contract.exchange import Session
from conformance.contract.grammar import TERMINAL_TYPES
from conformance.contract.rules import Level
from conformance.contract.violations import Violation

RECORDINGS = "real recordings (../shared/reference/recordings)"
RESUME = ("openai-openapi.yaml getResponse (stream, starting_after); Azure Responses how-to, §Background mode "
          "(resume with starting_after)")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100  # openai-openapi.yaml listInputItems: limit 1-100, default 20


def _page(body: Any) -> list[Any] | None:
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, list) else None


def _limit(value: str | None) -> int | None:
    try:
        return DEFAULT_LIMIT if value is None else min(int(value), MAX_LIMIT)
    except ValueError:
        return None


@exchange_rule(
    "exchange.input_items.page",
    Level.MUST,
    "An input_items answer is a page whose first_id and last_id are the ids of its first and last items, "
    "holding at most limit items, with has_more false when it holds fewer.",
    "openai-openapi.yaml listInputItems (ResponseItemList: data, first_id, last_id, has_more; limit 1-100, "
    "default 20)",
)
def input_items_page(session: Session) -> list[Outcome]:
    rule = input_items_page.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        if exchange.kind != "input_items" or not exchange.ok:
            continue
        data, body = _page(exchange.body), exchange.body
        if data is None or not isinstance(body, dict):
            found = [violation(rule, "the answer is not a list of items", i, "body", "data", expected="an array",
                               found=repr(body)[:80])]
            out.append(Outcome(rule, place(i), tuple(found)))
            continue
        found = []
        for key, item in (("first_id", data[0] if data else None), ("last_id", data[-1] if data else None)):
            expected = item.get("id") if isinstance(item, dict) else None
            if body.get(key) != expected:
                found.append(violation(rule, f"{key} is not the id of the page's {key[:-3]} item", i, "body", key,
                                       expected=repr(expected), found=repr(body.get(key))))
        limit = _limit(exchange.query.get("limit"))
        if limit is not None and len(data) > limit:
            found.append(violation(rule, "the page holds more items than limit", i, "body", "data",
                                   expected=f"at most {limit} items", found=f"{len(data)} items"))
        if limit is not None and len(data) < limit and body.get("has_more") is not False:
            found.append(violation(rule, "a page with fewer items than limit says more items follow", i, "body",
                                   "has_more", expected="false", found=repr(body.get("has_more"))))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


def _signature(item: Any) -> tuple[Any, ...] | None:
    """What an input item and its listed copy share: type, and role and texts of a message, or the call_id."""
    if isinstance(item, str):
        return ("message", "user", (item,))
    if not isinstance(item, dict):
        return None
    kind = item.get("type") or "message"
    if kind == "item_reference":
        return None  # listed as the item it names: nothing of it to compare
    if kind == "message":
        content = item.get("content")
        texts = (content,) if isinstance(content, str) else tuple(
            part.get("text") for part in content or () if isinstance(part, dict)
            and part.get("type") in ("input_text", "output_text", "text"))
        return ("message", item.get("role"), texts)
    return (kind, item.get("call_id")) if "call_id" in item else (kind,)


def _own_input(request: dict[str, Any]) -> list[tuple[Any, ...] | None] | None:
    value = request.get("input")
    if isinstance(value, str):
        return [_signature(value)]
    return [_signature(item) for item in value] if isinstance(value, list) and value else None


@exchange_rule(
    "exchange.input_items.own_input",
    Level.MUST,
    "The input items of a response hold its own input as the newest items, in request order (newest first by "
    "default and with order=desc); the earlier turns of a chained response may follow.",
    "openai-openapi.yaml listInputItems (order: asc | desc, default desc); " + RECORDINGS + ": OpenAI lists "
    "a chained response's whole conversation newest first: the tool output, the earlier tool call, the first "
    "user message (openai-dotnet__ResponsesTests.CustomToolCallWorksAsync__3, FunctionCallAsync__3)",
)
def input_items_own_input(session: Session) -> list[Outcome]:
    rule = input_items_own_input.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        data, rid = _page(exchange.body), exchange.target
        if exchange.kind != "input_items" or not exchange.ok or data is None or rid is None:
            continue
        request = session.created_with(rid)
        own = _own_input(request) if request is not None else None
        if own is None or request is None:
            out.append(Outcome(rule, place(i), missing=f"the create request of {rid}"))
            continue
        if "after" in exchange.query:
            out.append(Outcome(rule, place(i), missing="the first page (this one starts after a cursor)"))
            continue
        earlier = request.get("previous_response_id") is not None or request.get("conversation") is not None
        if exchange.query.get("order", "desc") != "asc":
            pairs = list(zip(range(len(data)), reversed(own), strict=False))
        elif not earlier:
            pairs = list(zip(range(len(data)), own, strict=False))
        elif isinstance(exchange.body, dict) and exchange.body.get("has_more") is False and len(data) >= len(own):
            pairs = list(zip(range(len(data) - len(own), len(data)), own, strict=True))
        else:
            out.append(Outcome(rule, place(i), missing="the last page of an ascending list of a chained response"))
            continue
        found: list[Violation] = []
        for n, expected in pairs:
            listed = _signature(data[n])
            if expected is not None and listed != expected:
                found.append(violation(rule, "the listed item is not the response's own input item", i, "body",
                                       "data", n, expected=expected, found=listed))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


def _conversation(session: Session, request: dict[str, Any]) -> tuple[list[tuple[Any, ...] | None], bool] | None:
    """What a chained response's input items hold after its own input, newest first: each earlier response's
    output, then its input, back through the chain; whether the chain's start was reached. None when the
    session lacks the previous response's create or answer. Reasoning items are left out (see the rule)."""
    expected: list[tuple[Any, ...] | None] = []
    previous = request.get("previous_response_id")
    while isinstance(previous, str):
        earlier, at = session.created_with(previous), session.creation(previous)
        answer = session.exchanges[at].response if at is not None else None
        if earlier is None or answer is None:
            return (expected, False) if expected else None
        output = [item for item in answer.get("output") or [] if _kept(item)]
        expected += [_signature(item) for item in reversed(output)]
        expected += list(reversed([s for s in _own_input(earlier) or [] if s is None or s[0] != "reasoning"]))
        previous = earlier.get("previous_response_id")
    return expected, True


def _kept(item: Any) -> bool:
    return not (isinstance(item, dict) and item.get("type") == "reasoning")


@exchange_rule(
    "exchange.input_items.full_context",
    Level.SHOULD,
    "The input items of a chained response list, after its own input, the conversation it continues, newest "
    "first: the previous response's output items, then its input items, and so on back along the chain.",
    "openai-openapi.yaml listInputItems; " + RECORDINGS + ": OpenAI lists a chained response's whole "
    "conversation newest first (openai-dotnet__ResponsesTests.CustomToolCallWorksAsync__3: the tool output, "
    "the earlier custom tool call, the first user message; FunctionCallAsync__3 likewise); no Azure recording "
    "lists a chained response, hence SHOULD; reasoning items are not compared (no recording shows whether "
    "they are listed)",
)
def input_items_full_context(session: Session) -> list[Outcome]:
    rule = input_items_full_context.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        data, rid = _page(exchange.body), exchange.target
        if exchange.kind != "input_items" or not exchange.ok or data is None or rid is None:
            continue
        request = session.created_with(rid)
        own = _own_input(request) if request is not None else None
        if request is None or own is None:
            out.append(Outcome(rule, place(i), missing=f"the create request of {rid}"))
            continue
        if not isinstance(request.get("previous_response_id"), str):
            continue  # not chained: its own input is all it lists (exchange.input_items.own_input)
        known = _conversation(session, request)
        if known is None:
            out.append(Outcome(rule, place(i), missing=f"the create of {request['previous_response_id']}"))
            continue
        if "after" in exchange.query or exchange.query.get("order", "desc") == "asc":
            out.append(Outcome(rule, place(i), missing="the first page newest first (no after, order desc)"))
            continue
        expected, whole = known
        mine = len([s for s in own if s is None or s[0] != "reasoning"])
        listed = [(n, item) for n, item in enumerate(data) if _kept(item)][mine:]
        found: list[Violation] = []
        for (n, item), wanted in zip(listed, expected, strict=False):
            if wanted is not None and _signature(item) != wanted:
                found.append(violation(rule, "the listed item is not the conversation's next earlier item", i,
                                       "body", "data", n, expected=wanted, found=_signature(item)))
        short = whole and len(listed) < len(expected) and len(data) < (_limit(exchange.query.get("limit")) or 0)
        if short and not found:
            found.append(violation(rule, "the list ends before the conversation does", i, "body", "data",
                                   expected=f"{len(expected)} earlier items", found=f"{len(listed)}"))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out


def _numbered(events: list[dict[str, Any]]) -> dict[int, tuple[int, dict[str, Any]]] | None:
    """Each event of a stream (its position, its fields but opaque ones) by sequence_number, keepalives aside;
    None when the events are not numbered."""
    by_number: dict[int, tuple[int, dict[str, Any]]] = {}
    for index, event in enumerate(events):
        if event.get("type") == "keepalive":
            continue
        number = event.get("sequence_number")
        if number.__class__ is not int:
            return None
        by_number[number] = (index, masked(event))
    return by_number


@exchange_rule(
    "exchange.resume.continues",
    Level.MUST,
    "A replayed stream (GET /responses/{id}?stream=true&starting_after=N) repeats the original stream after "
    "event N: the same events with the same sequence numbers, from N+1 to its terminal event.",
    RESUME + "; " + RECORDINGS + ": openai-dotnet__ResponsesTests.CanStreamBackgroundResponsesAsync, "
    "otel-python-contrib__test_responses_retrieve_stream_existing_response (obfuscation and encrypted "
    "content aside, as they differ in every delivery)",
)
def resume_continues(session: Session) -> list[Outcome]:
    rule = resume_continues.id
    out: list[Outcome] = []
    for i, exchange in enumerate(session.exchanges):
        rid = exchange.target
        if exchange.kind != "stream" or exchange.events is None or rid is None:
            continue
        origin = session.creation(rid)
        original = session.exchanges[origin].events if origin is not None else None
        if original is None:
            out.append(Outcome(rule, place(i), missing=f"the original stream of {rid}"))
            continue
        before, replay = _numbered(original), _numbered(exchange.events)
        if before is None or replay is None:
            out.append(Outcome(rule, place(i), missing="sequence numbers to align the two streams"))
            continue
        after = exchange.starting_after if exchange.starting_after is not None else -1
        expected = {n: e for n, e in before.items() if n > after}
        complete = (any(e.get("type") in TERMINAL_TYPES for e in original),
                    any(e.get("type") in TERMINAL_TYPES for e in exchange.events))
        found: list[Violation] = []
        for n, (at, event) in replay.items():
            if n in expected and event != expected[n][1]:
                original_event = expected[n][1]
                keys = sorted(k for k in {*event, *original_event} if event.get(k) != original_event.get(k))
                found.append(violation(rule, f"event {n} differs from the original stream's in {', '.join(keys)}",
                                       i, "events", at, expected=original_event.get(keys[0]),
                                       found=event.get(keys[0])))
            elif n not in expected and (complete[0] or n <= after):
                found.append(violation(rule, f"event {n} is not an event of the original stream after {after}", i,
                                       "events", at, "sequence_number",
                                       expected=f"{after + 1}..{max(before, default=after)}", found=str(n)))
        if complete[1]:
            skipped = sorted(set(expected) - set(replay))
            if skipped:
                found.append(violation(rule, "the replay skips events of the original stream", i, "events",
                                       expected=f"events {skipped[:5]}", found="not replayed"))
        out.append(Outcome(rule, place(i), tuple(found)))
    return out
