"""run_suite: every verdict, applicability, known issues, budget, Ctrl-C, cleanup and secrets."""

from __future__ import annotations

import httpx
import orjson
import pytest
from suitekit import SECRET, FakeServer, make_cell

from conformance.checks import (
    ContractViolation,
    HarnessError,
    NonStrict,
    NotApplicable,
    Skipped,
    Tier,
    Unsupported,
    check,
)
from conformance.client import Budget, TargetUnreachable
from conformance.contract.rules import Level
from conformance.contract.violations import Violation
from conformance.reference.mcp_server import CallLog
from conformance.report.model import Verdict
from conformance.run.outcome import KnownIssue
from conformance.run.runner import run_suite, select

UNDECLARED = Violation("schema.strict", "property 'x_extra' is not declared", "/x_extra")


def _verdicts(report):
    return {(c.id, r.check): (r.verdict, r.reason) for c in report.cells for r in c.results}


def _fake_checks():
    @check("verdict.passed", spec="t")
    def passed(cell):
        """Passes."""

    @check("verdict.failed", spec="t", level=Level.SHOULD)
    def failed(cell):
        """Fails."""
        raise ContractViolation("the status is wrong", expected="completed", actual="failed")

    @check("verdict.assert", spec="t")
    def plain_assert(cell):
        """A plain assert fails too."""
        assert 1 == 2, "one is not two\nsecond line"

    @check("verdict.non_strict.raised", spec="t")
    def non_strict(cell):
        """Raises NonStrict."""
        raise NonStrict([UNDECLARED])

    @check("verdict.non_strict.judged", spec="t")
    def non_strict_judged(judge):
        """The judge found a strict-only violation."""
        judge.strict_only.append(UNDECLARED)

    @check("verdict.not_applicable", spec="t")
    def not_applicable(cell):
        """Raises NotApplicable."""
        raise NotApplicable("the target has no such thing")

    @check("verdict.unsupported", spec="t")
    def unsupported(cell):
        """Raises Unsupported."""
        raise Unsupported("the server said 400 unsupported_feature")

    @check("verdict.skipped", spec="t")
    def skipped(cell):
        """Raises Skipped."""
        raise Skipped("no file to upload")

    @check("verdict.error.harness", spec="t")
    def harness(cell):
        """Raises a HarnessError."""
        raise TargetUnreachable("connection refused")

    @check("verdict.error.bug", spec="t")
    def bug(cell):
        """A harness bug is an error, never a crash."""
        {}["missing"]

    @check("verdict.known_issue", spec="t")
    def known(cell):
        """Fails as documented."""
        raise ContractViolation("web search refused")

    @check("applicability.profile", spec="t", profiles=["azure"])
    def azure_only(cell):
        """Azure only."""
        raise AssertionError("must not run")

    @check("applicability.capability", spec="t", requires=["computer_use"])
    def computer(cell):
        """Needs computer use."""
        raise AssertionError("must not run")

    @check("applicability.mcp", spec="t", requires=["mcp"])
    def needs_mcp(mcp):
        """Needs an MCP server."""

    return [passed, failed, plain_assert, non_strict, non_strict_judged, not_applicable, unsupported, skipped,
            harness, bug, known, azure_only, computer, needs_mcp]


ISSUES = [KnownIssue(("verdict.known_issue",), ("openai",), "documented gap", "https://example.com/gap")]


def test_every_verdict(registry):
    cell = make_cell(capabilities=frozenset({"text", "mcp"}))
    report = run_suite([cell], checks=_fake_checks(), known_issues=ISSUES, jobs=1)
    got = {check: verdict for (_, check), (verdict, _) in _verdicts(report).items()}
    assert got == {
        "verdict.passed": Verdict.passed,
        "verdict.failed": Verdict.failed,
        "verdict.assert": Verdict.failed,
        "verdict.non_strict.raised": Verdict.non_strict,
        "verdict.non_strict.judged": Verdict.non_strict,
        "verdict.not_applicable": Verdict.not_applicable,
        "verdict.unsupported": Verdict.unsupported,
        "verdict.skipped": Verdict.skipped,
        "verdict.error.harness": Verdict.error,
        "verdict.error.bug": Verdict.error,
        "verdict.known_issue": Verdict.known_issue,
        "applicability.profile": Verdict.not_applicable,
        "applicability.capability": Verdict.not_applicable,
        "applicability.mcp": Verdict.skipped,
    }
    assert set(Verdict) == set(got.values())
    assert [r.check for r in report.cells[0].results] == sorted(got)  # ID order
    assert report.summary["verdicts"]["failed"] == 2 and report.summary["features"]["verdict"]["error"] == 2


def test_every_non_passed_verdict_has_a_one_line_reason(registry):
    report = run_suite([make_cell()], checks=_fake_checks(), known_issues=ISSUES)
    reasons = {check: reason for (_, check), (_, reason) in _verdicts(report).items()}
    assert reasons["verdict.failed"] == "the status is wrong / expected completed / actual failed"
    assert reasons["verdict.assert"].startswith("one is not two")
    assert reasons["verdict.non_strict.judged"] == str(UNDECLARED)
    assert reasons["verdict.error.harness"] == "connection refused (again on retry)"  # a transport fault: twice
    assert reasons["verdict.error.bug"] == "KeyError: 'missing'"
    assert reasons["applicability.profile"] == "profile openai is not one of azure"
    assert reasons["applicability.capability"] == "model gpt-4o lacks computer_use (capability table)"
    assert reasons["applicability.mcp"] == "model gpt-4o lacks mcp (capability table)"
    for (_, check_id), (verdict, reason) in _verdicts(report).items():
        assert verdict is Verdict.passed or (reason and "\n" not in reason), check_id


def test_a_known_issue_carries_its_link_and_only_matches_its_profile(registry):
    checks = _fake_checks()
    report = run_suite([make_cell(), make_cell(profile="azure", deployment="az")], checks=checks,
                       known_issues=ISSUES, only=["verdict.known_issue"])
    openai, azure = (c.results[0] for c in report.cells)
    assert openai.verdict is Verdict.known_issue and openai.link == "https://example.com/gap"
    assert "documented gap" in openai.reason and "web search refused" in openai.reason
    assert azure.verdict is Verdict.failed and azure.link is None


def test_the_builtin_known_issues_map_azure_image_file_ids(registry):
    @check("image_input.file_id.probe", spec="t")
    def image_file_id(cell):
        """An image given by file_id is accepted."""
        raise ContractViolation("400 unsupported input")

    report = run_suite([make_cell(profile="azure")], checks=[image_file_id])
    result = report.cells[0].results[0]
    assert result.verdict is Verdict.known_issue and "learn.microsoft.com" in (result.link or "")


def test_mcp_is_given_to_checks_of_cells_with_an_mcp_url(registry):
    seen = []

    @check("mcp.given", spec="t", requires=["mcp"])
    def uses_mcp(mcp, cell):
        """Gets the MCP server."""
        seen.append((mcp.url, dict(mcp.headers), mcp.seen))

    cell = make_cell(capabilities=frozenset({"mcp"}), mcp_url="http://127.0.0.1:1/mcp",
                     mcp_headers={"Authorization": "Bearer mcp-token-777"})
    log = CallLog()
    report = run_suite([cell], checks=[uses_mcp], mcp_seen={"http://127.0.0.1:1/mcp": log})
    assert report.cells[0].results[0].verdict is Verdict.passed
    assert seen == [("http://127.0.0.1:1/mcp", {"Authorization": "Bearer mcp-token-777"}, [])]


def test_what_a_passing_check_could_not_verify_is_its_reason(registry):
    @check("mcp.noted", spec="t", requires=["mcp"])
    def notes(mcp):
        """Passes, noting what it could not verify."""
        mcp.notes.extend(["not verified", "not verified"])

    cell = make_cell(capabilities=frozenset({"mcp"}), mcp_url="http://127.0.0.1:1/mcp")
    result = run_suite([cell], checks=[notes]).cells[0].results[0]
    assert (result.verdict, result.reason) == (Verdict.passed, "not verified")


def test_an_unknown_parameter_is_an_error_not_a_crash(registry):
    @check("bad.parameter", spec="t")
    def wants_db(database):
        """Asks for something the runner does not give."""

    result = run_suite([make_cell()], checks=[wants_db]).cells[0].results[0]
    assert result.verdict is Verdict.error and "'database'" in result.reason


def test_tier_and_only_select_checks(registry):
    @check("a.smoke", spec="t", tier=Tier.smoke)
    def a(cell):
        """A."""

    @check("b.full", spec="t", tier=Tier.full)
    def b(cell):
        """B."""

    assert [i.id for i, _ in select([a, b], Tier.smoke)] == ["a.smoke"]
    assert [i.id for i, _ in select([a, b], Tier.full, ["b.*"])] == ["b.full"]


def test_evidence_backs_a_failure_and_secrets_are_scrubbed(registry, fake_server: FakeServer):
    @check("evidence.failure", spec="t")
    def leaks(client):
        """Fails with the secret in its message."""
        client.create({"input": "hi"})
        raise ContractViolation(f"the server echoed {SECRET}")

    report = run_suite([make_cell()], checks=[leaks], transport_factory=fake_server.factory())
    result = report.cells[0].results[0]
    assert result.verdict is Verdict.failed and result.attempts == 1
    assert result.evidence and result.evidence[0]["method"] == "POST"
    assert SECRET not in orjson.dumps([c.identity for c in report.cells]).decode()
    assert SECRET not in orjson.dumps([r.__dict__ for c in report.cells for r in c.results], default=str).decode()
    assert "<redacted>" in result.reason


def test_cleanup_runs_at_the_end(registry, fake_server: FakeServer):
    @check("cleanup.creates", spec="t")
    def creates(client):
        """Creates two responses."""
        client.create({"input": "one"})
        client.create({"input": "two"})

    report = run_suite([make_cell()], checks=[creates], transport_factory=fake_server.factory())
    deleted = sorted(r.url.path for r in fake_server.requests if r.method == "DELETE")
    assert deleted == ["/v1/responses/resp_1", "/v1/responses/resp_2"]
    assert report.cleanup_failures == [] and not report.partial


def test_a_spent_budget_stops_the_run_with_a_partial_report(registry, fake_server: FakeServer):
    def make(n):
        @check(f"budget.c{n}", spec="t")
        def spend(client):
            """Spends one request."""
            client.create({"input": "x"})

        return spend

    checks = [make(n) for n in range(5)]
    report = run_suite([make_cell()], checks=checks, budget=Budget(max_requests=2),
                       transport_factory=fake_server.factory(), jobs=1, concurrency=1)  # one after another
    verdicts = [(r.verdict, r.reason) for r in report.cells[0].results]
    assert [v for v, _ in verdicts] == [Verdict.passed, Verdict.passed] + [Verdict.error] * 3
    assert verdicts[2][1].startswith("budget spent") and verdicts[3][1] == "budget spent"
    assert report.partial and report.partial_reason == "budget spent"
    assert fake_server.count == 2 and len([r for r in fake_server.requests if r.method == "DELETE"]) == 2


def test_ctrl_c_stops_cleans_up_and_gives_a_partial_report(registry, fake_server: FakeServer):
    @check("interrupt.a", spec="t")
    def creates(client):
        """Creates a response."""
        client.create({"input": "x"})

    @check("interrupt.b", spec="t")
    def interrupted(cell):
        """The user presses Ctrl-C."""
        raise KeyboardInterrupt

    @check("interrupt.c", spec="t")
    def never(cell):
        """Never runs."""
        raise AssertionError("ran after Ctrl-C")

    report = run_suite([make_cell()], checks=[creates, interrupted, never], transport_factory=fake_server.factory(),
                       concurrency=1)  # one after another: test_concurrency.py has the concurrent case
    assert [r.verdict for r in report.cells[0].results] == [Verdict.passed, Verdict.error, Verdict.skipped]
    assert report.cells[0].results[2].reason == "not run: interrupted (Ctrl-C)"  # never started: not an error
    assert report.partial and report.partial_reason.startswith("interrupted")
    assert [r.url.path for r in fake_server.requests if r.method == "DELETE"] == ["/v1/responses/resp_1"]


def test_cells_run_concurrently_and_all_get_results(registry):
    import threading
    import time

    names = set()

    @check("concurrency.sleep", spec="t")
    def sleeps(cell):
        """Sleeps a little."""
        names.add(threading.current_thread().name)
        time.sleep(0.2)

    cells = [make_cell(deployment=f"d{i}") for i in range(4)]
    started = time.monotonic()
    report = run_suite(cells, checks=[sleeps], jobs=4)
    assert time.monotonic() - started < 0.7
    assert len(names) == 4 and all(c.results[0].verdict is Verdict.passed for c in report.cells)


def test_a_harness_error_subclass_from_the_client_is_error(registry):
    @check("error.custom", spec="t")
    def custom(cell):
        """Raises a HarnessError subclass."""
        raise type("Weird", (HarnessError,), {})("429 after 3 attempts")

    result = run_suite([make_cell()], checks=[custom]).cells[0].results[0]
    assert (result.verdict, result.reason) == (Verdict.error, "429 after 3 attempts")


def test_ctrl_c_in_the_main_thread_also_gives_a_partial_report(registry, fake_server: FakeServer):
    @check("main.a", spec="t")
    def creates(client):
        """Creates a response."""
        client.create({"input": "x"})

    @check("main.b", spec="t")
    def after(cell):
        """Would run after the interrupt."""

    def interrupt(cell, result, total):
        raise KeyboardInterrupt  # what the main thread gets from Ctrl-C while it waits for the cells

    report = run_suite([make_cell()], checks=[creates, after], transport_factory=fake_server.factory(),
                       progress=interrupt, concurrency=1)
    assert report.partial and report.partial_reason.startswith("interrupted")
    assert [r.check for r in report.cells[0].results] == ["main.a", "main.b"]
    assert report.cells[0].results[1].verdict is Verdict.skipped
    assert [r.url.path for r in fake_server.requests if r.method == "DELETE"] == ["/v1/responses/resp_1"]


def test_mcp_header_and_api_key_secrets_of_the_embedded_cells_appear_nowhere(registry):
    from conformance.report.json import write_json
    from conformance.run.embedded import embedded_targets

    @check("secrets.mcp_tool", spec="t", requires=["mcp"])
    def sends_mcp_headers(client, mcp, cell):
        """Sends the MCP tool with its secret headers, then fails quoting them."""
        tool = {"type": "mcp", "server_label": "local", "server_url": mcp.url, "headers": dict(mcp.headers),
                "require_approval": "never"}
        client.create({"input": "echo hello", "tools": [tool]})
        raise ContractViolation(f"headers were {dict(mcp.headers)} with key {cell.credential.secret}")

    import io

    with embedded_targets() as run:
        planted = {secret for cell in run.cells for secret in cell.secrets()}
        report = run_suite(run.cells, checks=[sends_mcp_headers], mcp_seen={run.mcp_url: run.mcp_seen})
    out = io.StringIO()
    write_json(report, out)
    text = out.getvalue()
    assert all(r.verdict is Verdict.failed and r.evidence for c in report.cells for r in c.results)
    assert len(planted) == 3  # two API keys and the MCP token
    assert not [s for s in planted if s in text or s.split()[-1] in text]


def test_a_cell_whose_credentials_are_refused_is_diagnosed_once_before_its_checks(registry):
    seen: list[httpx.Request] = []

    def refuses(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error": {"message": "Incorrect API key provided", "type": "invalid_request_error",
                                                   "param": None, "code": "invalid_api_key"}})

    @check("pre.a", spec="t")
    def first(client):
        """Creates a response."""
        client.create({"input": "x"})

    @check("pre.b", spec="t", requires=("image_generation",))
    def dropped(client):
        """Not applicable to the cell."""

    report = run_suite([make_cell()], checks=[first, dropped], preflight=True,
                       transport_factory=lambda cell: httpx.MockTransport(refuses))
    got = {r.check: r for r in report.cells[0].results}
    assert len(seen) == 1 and seen[0].method == "GET"  # one diagnosis, no check ran
    assert got["pre.a"].verdict is Verdict.error and got["pre.a"].evidence
    assert got["pre.a"].reason.startswith("preflight failed: the target refuses the credentials (401")
    assert got["pre.b"].verdict is Verdict.not_applicable
    assert SECRET not in str(got["pre.a"].evidence)


@pytest.mark.parametrize(("cuts", "verdict"), [(1, Verdict.passed), (99, Verdict.failed)])
def test_a_cut_connection_is_retried_once_and_a_reproducible_one_fails(registry, cuts, verdict):
    calls: list[int] = []

    def cutting(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) <= cuts:
            raise httpx.ReadError("peer closed connection without sending complete message body")
        return httpx.Response(200, json={"id": "resp_1", "object": "response", "status": "completed"})

    @check("cut.a", spec="t")
    def creates(client):
        """Creates a response."""
        client.create({"input": "x", "store": False})

    report = run_suite([make_cell()], checks=[creates], transport_factory=lambda cell: httpx.MockTransport(cutting))
    [result] = report.cells[0].results
    assert result.verdict is verdict, result.reason
    if verdict is Verdict.failed:
        assert result.reason.startswith("transport broken, reproduced on retry") and "ReadError" in result.reason
        assert result.reason.endswith("(again on retry)") and result.evidence
    else:
        assert "retried once after a transport fault" in result.reason and "ReadError" in result.reason
