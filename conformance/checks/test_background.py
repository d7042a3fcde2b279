"""Background mode: a background response is queued, runs and ends; cancel stops it, idempotently.

A background job is polled with GET under a bounded wait (``TERMINAL_WAIT_S``). The jobs that are
cancelled ask for a long answer, so that the cancel arrives while they still run; a job that finished
first cannot show a cancellation, and the check says so (``error``) instead of guessing. The cancel checks
are not ``exclusive``: the job they race runs on the server's clock, which the cell's other requests do not
slow down (measured: the embedded run at the default concurrency keeps them passed).
"""

from __future__ import annotations

import time
from typing import Any

from conformance.checks import _tokens
from conformance.checks._check import HarnessError, Tier, check, expect
from conformance.checks._exchanges import answer, expect_rules, sent
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._streams import (
    LONG_PROMPT,
    LONG_TOKENS,
    count_request,
    expect_answer,
    poll_until_terminal,
    request,
)
from conformance.client import ApiResponse, ResponsesClient
from conformance.matrix import Cell

AZURE_HOWTO = "Azure Responses how-to, §Background mode"
OPENAI_CANCEL = "openai-openapi.yaml cancelResponse ('Only responses created with background ... can be cancelled')"
TERMINAL_WAIT_S = 120.0  # the bounded wait for a background response to finish
SETTLE_S = 3.0  # how long a cancelled response is watched for a job that kept running
RUNNING = ("queued", "in_progress")
FINISHED = ("completed", "incomplete", "failed")


def _start(cell: Cell, client: ResponsesClient, judge: Judge, body: dict[str, Any]) -> dict[str, Any]:
    """Create a background response; the (judged) answer."""
    return judge.response(expect_answer(client.create({**body, "background": True}), "the background create"))


def _start_long(cell: Cell, client: ResponsesClient, judge: Judge) -> dict[str, Any]:
    return _start(cell, client, judge, request(cell, LONG_PROMPT, LONG_TOKENS))


def _cancel(client: ResponsesClient, judge: Judge, response_id: str) -> dict[str, Any]:
    return judge.response(expect_answer(client.cancel(response_id), "the cancel"))


def _not_finished_first(cancelled: dict[str, Any]) -> None:
    if cancelled.get("status") in FINISHED:
        raise HarnessError(f"the response was {cancelled.get('status')} before the cancel arrived: "
                           "no cancellation to observe")


@check("background.create.queued", spec=f"{AZURE_HOWTO}; openai-openapi.yaml createResponse (background)",
       requires=("background", "store"), tier=Tier.smoke)
def test_background_create_answers_queued_or_in_progress(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A background create MUST answer at once with the response queued or in_progress."""
    created = _start(cell, client, judge, count_request(cell))
    expect(created.get("status") in RUNNING, "the background create did not answer with a running response",
           expected="status queued or in_progress", actual=f"status {created.get('status')!r}")


@check("background.poll.terminal", spec=f"{AZURE_HOWTO} (poll while queued or in_progress)",
       requires=("background", "store"))
def test_background_response_reaches_a_terminal_status(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A polled background response MUST move from queued through in_progress to a terminal status in bounded time."""
    created = _start(cell, client, judge, count_request(cell))
    seen = [created, *poll_until_terminal(client, str(created.get("id")), TERMINAL_WAIT_S, judge.response)]
    statuses = [str(body.get("status")) for body in seen]
    expect(statuses[-1] in FINISHED, f"the background response did not finish within {TERMINAL_WAIT_S:g} s",
           expected="completed, incomplete or failed", actual=f"statuses {_runs(statuses)}")
    order = {"queued": 0, "in_progress": 1, **dict.fromkeys(FINISHED, 2)}
    ranks = [order.get(s, -1) for s in statuses]
    expect(ranks == sorted(ranks) and -1 not in ranks, "the background response's status went back or off its path",
           expected="queued -> in_progress -> a terminal status", actual=f"statuses {_runs(statuses)}")


@check("background.cancel.cancelled", spec=f"{AZURE_HOWTO} (POST /responses/{{id}}/cancel); {OPENAI_CANCEL}",
       requires=("background", "store"))
def test_cancel_answers_cancelled(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Cancelling a running background response MUST answer with the response in status cancelled."""
    created = _start_long(cell, client, judge)
    cancelled = _cancel(client, judge, str(created.get("id")))
    _not_finished_first(cancelled)
    expect(cancelled.get("status") == "cancelled", "the cancel did not answer with a cancelled response",
           expected="status 'cancelled'", actual=f"status {cancelled.get('status')!r}")
    expect(cancelled.get("id") == created.get("id"), "the cancel answered with another response",
           expected=created.get("id"), actual=cancelled.get("id"))


CANCEL_IDEMPOTENT = "exchange.cancel.idempotent"  # the one judge of a second cancel


@check("background.cancel.idempotent", spec=f"{AZURE_HOWTO} ('cancelling is idempotent: later calls return the "
       f"final response object'); the exchange rule {CANCEL_IDEMPOTENT}", requires=("background", "store"))
def test_cancel_twice_returns_the_same_final_object(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Cancelling a response a second time MUST answer the final response the first cancel ended it as.

    Compared: id, model, previous_response_id, instructions, tools, status, output and usage. billing,
    service_tier and completed_at may differ between two answers (OpenAI adds billing to terminal JSON bodies
    and resolves service_tier auto to default: see exchange.retrieve.equals_create).
    """
    body = {**request(cell, LONG_PROMPT, LONG_TOKENS), "background": True}
    created = client.create(body)
    rid = str(_judged(created, judge, "the background create").get("id"))
    first = client.cancel(rid)
    final = _judged(first, judge, "the cancel")
    _not_finished_first(final)
    seen = [sent("POST", "/responses", created, body), sent("POST", f"/responses/{rid}/cancel", first)]
    if final.get("status") in RUNNING:  # cancelling may take a moment: the final object is what it ends as
        polled = poll_until_terminal(client, rid, TERMINAL_WAIT_S, judge.response)
        seen += [answer("GET", f"/responses/{rid}", retrieved) for retrieved in polled]
    again = client.cancel(rid)
    _judged(again, judge, "the second cancel")
    seen.append(sent("POST", f"/responses/{rid}/cancel", again))
    expect_rules("the second cancel answered with another object than the final response", judge.profile,
                 seen, CANCEL_IDEMPOTENT)


def _judged(reply: ApiResponse, judge: Judge, action: str) -> dict[str, Any]:
    return judge.response(expect_answer(reply, action))


@check("background.cancel.stays_cancelled", spec=f"{AZURE_HOWTO} (cancel)", requires=("background", "store"))
def test_cancelled_response_stays_cancelled(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A cancelled background response MUST stay cancelled on every later retrieve."""
    created = _start_long(cell, client, judge)
    rid = str(created.get("id"))
    cancelled = _cancel(client, judge, rid)
    _not_finished_first(cancelled)
    if cancelled.get("status") != "cancelled":
        raise HarnessError("the cancel did not answer cancelled (see background.cancel.cancelled)")
    statuses = []
    for _ in range(3):
        time.sleep(SETTLE_S / 3)
        statuses.append(judge.response(expect_answer(client.retrieve(rid), "the retrieve")).get("status"))
    expect(all(s == "cancelled" for s in statuses), "the cancelled response did not stay cancelled",
           expected=f"status 'cancelled' for {SETTLE_S:g} s", actual=f"statuses {statuses}")


@check("background.cancel.foreground_rejected", owns=ENVELOPE, spec=OPENAI_CANCEL + f"; {AZURE_HOWTO} ('to cancel a synchronous "
       "response, close the connection')", requires=("background", "store"))
def test_cancel_of_a_foreground_response_fails(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Cancelling a response that was not created in background MUST fail with a 4xx error envelope."""
    created = judge.response(expect_answer(client.create({**count_request(cell), "store": True}), "the create"))
    answer = client.cancel(str(created.get("id")))
    judge.error(answer.status_code, answer.body, title="cancelling a foreground response did not fail with a 4xx")


@check("background.cancel.unknown_id", owns=ENVELOPE, spec="openai-openapi.yaml cancelResponse (404 Not Found)",
       requires=("background",))
def test_cancel_of_an_unknown_id_is_not_found(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Cancelling a response id that does not exist MUST fail with 404 and an error envelope."""
    answer = client.cancel("resp_" + _tokens.token_hex(24))
    judge.error(answer.status_code, answer.body, statuses=[404], title="cancelling an unknown id did not answer 404")


def _runs(statuses: list[str]) -> str:
    """``queued x2 -> in_progress x3 -> completed``: the statuses seen, repeats folded."""
    out: list[str] = []
    for status in statuses:
        if out and out[-1].split(" x")[0] == status:
            count = int(out[-1].split(" x")[1]) + 1 if " x" in out[-1] else 2
            out[-1] = f"{status} x{count}"
        else:
            out.append(status)
    return " -> ".join(out)
