"""No vacuous verdict: a check that judged nothing is never ``passed``, and every ``error`` carries evidence.

Every check runs (openai profile) against targets whose answers hold nothing to judge: ``200 {}`` to every
request (an empty event stream to a streamed one), and ``400`` with a conforming error envelope to every
request (which the refusal checks rightly pass).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import httpx
import pytest

from conformance.matrix import Cell, Credential
from conformance.report.model import CheckResult, Verdict
from conformance.run.embedded import REFERENCE_CAPABILITIES
from conformance.run.runner import run_suite

Answer = Callable[[httpx.Request], httpx.Response]


def _empty(request: httpx.Request) -> httpx.Response:
    streamed = request.method == "POST" and b'"stream":true' in request.content.replace(b" ", b"")
    if streamed:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=b"")
    return httpx.Response(200, json={})


def _refused(request: httpx.Request) -> httpx.Response:
    return httpx.Response(400, json={"error": {"message": "no", "type": "invalid_request_error", "param": None,
                                               "code": None}})


def _cell(profile: str) -> Cell:
    azure = profile == "azure"
    return Cell(
        provider="guard", region="local", deployment="o4-mini", model="o4-mini", model_version="",
        api_style="azure-v1" if azure else "openai", api_version="preview" if azure else "",
        endpoint="http://127.0.0.1:9/openai/v1" if azure else "http://127.0.0.1:9/v1", profile=profile,
        credential=Credential("api-key", "guard-key-0000", "test"), capabilities=REFERENCE_CAPABILITIES,
        mcp_url="http://127.0.0.1:9/mcp", mcp_headers={"Authorization": "Bearer guard-token"},
        image_deployment="gpt-image-1" if azure else None,
    )


@functools.cache
def _results(answer: Answer) -> dict[str, CheckResult]:
    report = run_suite([_cell("openai")], transport_factory=lambda cell: httpx.MockTransport(answer), concurrency=16)
    return {r.check: r for r in report.cells[0].results}


SIBLINGS = {
    # a check whose sentence a 200 `{}` does meet, and the sibling that judges the same answers' bodies
    "fuzz.create.valid_not_5xx": "fuzz.create.answers_conform",  # the status is 2xx; the body is no Response
}


@pytest.mark.parametrize("answer", [_empty, _refused], ids=["200-empty", "400-everything"])
def test_a_target_that_answers_nothing_to_judge_passes_no_check(answer: Answer) -> None:
    got = _results(answer)
    assert len(got) > 80
    vacuous = {c: r.reason for c, r in got.items() if r.verdict is Verdict.passed}
    if answer is _refused:  # a refusal is what these checks ask for: a 400 is their answer, not nothing
        vacuous = {c: v for c, v in vacuous.items() if not _asks_for_a_refusal(c)}
    covered = {c for c in vacuous if c in SIBLINGS and got[SIBLINGS[c]].verdict is Verdict.failed}
    assert {c: v for c, v in vacuous.items() if c not in covered} == {}


@pytest.mark.parametrize("answer", [_empty, _refused], ids=["200-empty", "400-everything"])
def test_every_error_verdict_carries_evidence(answer: Answer) -> None:
    got = _results(answer)
    bare = {c: r.reason for c, r in got.items() if r.verdict is Verdict.error and not r.evidence}
    assert bare == {}
    not_judged = {c for c, r in got.items() if r.reason.startswith("not judged")}
    assert not_judged, "no check said it judged nothing"


REFUSALS = ("refused", "rejected", "not_found", "unsupported", "_key", "names_param", "bad_request",
            "never_5xx", "not_chainable", "not_retrievable", "requires_store", "unknown", "name_required",
            "foreground_rejected", "pages_per_request", "then_not_found", "twice_not_found")


def _asks_for_a_refusal(check: str) -> bool:
    """A check whose sentence is a refusal: a 400 to everything is its expected answer, not a vacuous pass."""
    return any(word in check for word in REFUSALS)
