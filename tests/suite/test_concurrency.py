"""Checks of a cell run concurrently, bounded per cell; exclusive checks run alone; results stay in ID order.

Overlap is proven by the checks themselves (barriers that only open when enough checks run at once, an
in-flight counter, ticks of a shared counter), never by wall-clock time.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

from suitekit import FakeServer, make_cell

from conformance.checks import check
from conformance.client import Budget
from conformance.report.model import Verdict
from conformance.run.runner import DEFAULT_CONCURRENCY, _Gate, run_suite

WAIT_S = 10.0  # how long a barrier waits before it breaks: only reached when the checks do not overlap
JOIN_S = 0.2  # how long an exclusive check watches for a check starting beside it


class InFlight:
    """Counts the checks running at once and remembers the most seen."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self._lock = threading.Lock()

    def __enter__(self) -> InFlight:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1


def _meeting_checks(count: int, parties: int, flight: InFlight) -> list:
    """``count`` checks that each wait until ``parties`` of them run at once (a barrier)."""
    barrier = threading.Barrier(parties, timeout=WAIT_S)

    def make(n: int):
        @check(f"meet.c{n:02d}", spec="t")
        def meets(cell):
            """Waits for the others."""
            with flight:
                barrier.wait()

        return meets

    return [make(n) for n in range(count)]


def _verdicts(report) -> list[Verdict]:
    return [r.verdict for c in report.cells for r in c.results]


def test_the_checks_of_a_cell_run_at_once(registry):
    flight = InFlight()
    checks = _meeting_checks(4, 4, flight)  # a barrier of 4: passes only if all 4 checks run together
    report = run_suite([make_cell()], checks=checks, concurrency=4)
    assert _verdicts(report) == [Verdict.passed] * 4, [r.reason for r in report.cells[0].results]
    assert flight.most == 4


def test_concurrency_bounds_the_checks_in_flight_per_cell(registry):
    flight = InFlight()
    checks = _meeting_checks(6, 2, flight)  # pairs meet: 2 at once is reached, and never more
    report = run_suite([make_cell()], checks=checks, concurrency=2)
    assert _verdicts(report) == [Verdict.passed] * 6
    assert flight.most == 2


def test_the_cells_own_concurrency_applies_unless_the_run_gives_one(registry):
    flight = InFlight()
    checks = _meeting_checks(6, 3, flight)
    report = run_suite([make_cell(concurrency=3)], checks=checks)  # from the matrix file
    assert _verdicts(report) == [Verdict.passed] * 6 and flight.most == 3

    names: set[str] = set()

    @check("alone.one", spec="t")
    def one(cell):
        """Notes its thread."""
        names.add(threading.current_thread().name)

    @check("alone.two", spec="t")
    def two(cell):
        """Notes its thread."""
        names.add(threading.current_thread().name)

    report = run_suite([make_cell(concurrency=4)], checks=[one, two], concurrency=1)  # the run's option wins
    assert _verdicts(report) == [Verdict.passed] * 2 and len(names) == 1


def test_the_default_runs_several_checks_at_once(registry):
    flight = InFlight()
    checks = _meeting_checks(DEFAULT_CONCURRENCY, DEFAULT_CONCURRENCY, flight)
    report = run_suite([make_cell()], checks=checks)
    assert _verdicts(report) == [Verdict.passed] * DEFAULT_CONCURRENCY and flight.most == DEFAULT_CONCURRENCY > 1


def test_results_stay_in_id_order_and_progress_fires_once_per_check(registry):
    c_done = threading.Event()

    @check("order.a", spec="t")
    def first(cell):
        """Finishes last."""
        assert c_done.wait(WAIT_S)

    @check("order.b", spec="t")
    def second(cell):
        """Finishes whenever."""

    @check("order.c", spec="t")
    def third(cell):
        """Finishes before order.a."""
        c_done.set()

    reported: list[str] = []
    lock = threading.Lock()

    def progress(cell, result, total):
        assert total == 3
        with lock:
            reported.append(result.check)

    report = run_suite([make_cell()], checks=[third, first, second], concurrency=3, progress=progress)
    assert [r.check for r in report.cells[0].results] == ["order.a", "order.b", "order.c"]
    assert _verdicts(report) == [Verdict.passed] * 3
    assert Counter(reported) == Counter({"order.a": 1, "order.b": 1, "order.c": 1})
    assert reported.index("order.c") < reported.index("order.a")  # they did finish out of ID order


def test_an_exclusive_check_never_overlaps_another_check_of_its_cell(registry):
    ticks = itertools.count()
    spans: dict[str, tuple[int, int]] = {}
    joined: dict[str, bool] = {}
    someone_started = threading.Event()
    lock = threading.Lock()

    def tick() -> int:
        with lock:
            return next(ticks)

    def make(check_id: str, exclusive: bool):
        @check(check_id, spec="t", exclusive=exclusive)
        def body(cell):
            """Records when it ran; an exclusive one also whether any check started meanwhile."""
            start = tick()
            if exclusive:
                someone_started.clear()
                joined[check_id] = someone_started.wait(JOIN_S)  # a check beside it would start by now
            else:
                someone_started.set()
                time.sleep(0.02)  # in flight long enough to meet an exclusive check if the gate let it
            spans[check_id] = (start, tick())

        return body

    ids = ["a.shared", "b.exclusive", "c.shared", "d.shared", "e.exclusive", "f.shared", "g.shared", "h.shared"]
    checks = [make(i, i.endswith("exclusive")) for i in ids]
    report = run_suite([make_cell()], checks=checks, concurrency=4)
    assert _verdicts(report) == [Verdict.passed] * len(ids), [r.reason for r in report.cells[0].results]
    assert [r.check for r in report.cells[0].results] == ids
    assert joined == {"b.exclusive": False, "e.exclusive": False}
    for alone in ("b.exclusive", "e.exclusive"):
        start, end = spans[alone]
        others = [other for other, (s, e) in spans.items() if other != alone and s <= end and e >= start]
        assert others == [], f"{alone} overlapped {others}"


def test_the_gate_lets_an_exclusive_holder_in_only_when_the_others_are_out():
    gate = _Gate()
    events: list[str] = []
    shared_in = threading.Event()
    release = threading.Event()

    def shared(name: str) -> None:
        with gate.hold(exclusive=False):
            events.append(f"{name} in")
            shared_in.set()
            release.wait(WAIT_S)
            events.append(f"{name} out")

    def exclusive() -> None:
        with gate.hold(exclusive=True):
            events.append("exclusive in")
            events.append("exclusive out")

    first = threading.Thread(target=shared, args=("first",))
    first.start()
    assert shared_in.wait(WAIT_S)
    writer = threading.Thread(target=exclusive)
    writer.start()
    deadline = time.monotonic() + WAIT_S
    while not gate._waiting and time.monotonic() < deadline:  # the exclusive holder is queued ...
        time.sleep(0.001)
    late = threading.Thread(target=shared, args=("late",))
    late.start()  # ... so a check arriving now waits behind it
    time.sleep(0.05)  # let it reach the gate before the first one leaves
    release.set()
    for thread in (first, writer, late):
        thread.join(WAIT_S)
    assert events == ["first in", "first out", "exclusive in", "exclusive out", "late in", "late out"]


def test_ctrl_c_in_a_check_stops_the_cell_and_the_rest_is_not_run(registry, fake_server: FakeServer):
    b_reported = threading.Event()
    ran: list[str] = []

    @check("stop.a", spec="t")
    def creates(client):
        """Creates a response and runs on until the interrupt was reported."""
        client.create({"input": "x"})
        assert b_reported.wait(WAIT_S)

    @check("stop.b", spec="t")
    def interrupted(cell):
        """The user presses Ctrl-C."""
        raise KeyboardInterrupt

    def later(n: int):
        @check(f"stop.later{n}", spec="t")
        def never(cell):
            """Must not start after the interrupt."""
            ran.append(f"stop.later{n}")

        return never

    reported: list[str] = []

    def progress(cell, result, total):
        reported.append(result.check)
        if result.check == "stop.b":
            b_reported.set()

    report = run_suite([make_cell()], checks=[creates, interrupted, later(1), later(2)], concurrency=2,
                       transport_factory=fake_server.factory(), progress=progress)
    results = {r.check: (r.verdict, r.reason) for r in report.cells[0].results}
    assert ran == []
    assert results["stop.a"][0] is Verdict.passed and results["stop.b"][0] is Verdict.error
    assert results["stop.later1"] == results["stop.later2"] == (Verdict.skipped, "not run: interrupted (Ctrl-C)")
    assert report.partial and report.partial_reason == "interrupted (Ctrl-C)"
    assert sorted(reported) == sorted(results)  # every check reported once, the unstarted ones too
    assert [r.url.path for r in fake_server.requests if r.method == "DELETE"] == ["/v1/responses/resp_1"]


def test_a_spent_budget_stops_concurrent_checks_with_a_partial_report(registry, fake_server: FakeServer):
    def make(n: int):
        @check(f"budget.c{n}", spec="t")
        def spend(client):
            """Spends one request."""
            client.create({"input": "x"})

        return spend

    report = run_suite([make_cell()], checks=[make(n) for n in range(6)], budget=Budget(max_requests=3),
                       transport_factory=fake_server.factory(), concurrency=3)
    results = report.cells[0].results
    assert [r.check for r in results] == [f"budget.c{n}" for n in range(6)]
    assert sum(r.verdict is Verdict.passed for r in results) == 3 and fake_server.count == 3
    assert all(r.reason.startswith("budget spent") for r in results if r.verdict is not Verdict.passed)
    assert report.partial and report.partial_reason == "budget spent"
    assert len([r for r in fake_server.requests if r.method == "DELETE"]) == 3
