"""The cool-down shared by a cell's requests: one request told to wait makes every request of the cell wait.

A frozen clock makes the waits exact: a fake ``sleep`` records what each request slept, in order.
"""

from __future__ import annotations

import threading

import httpx
from clientkit import Script, client, json_response

from conformance.client import CoolDown, Evidence, RetryPolicy

OK = json_response({"id": "r", "object": "response"})
NOW = 1000.0


def _frozen() -> float:
    return NOW


def test_a_retry_after_makes_the_other_requests_of_the_cell_wait_the_same_time() -> None:
    slept: list[tuple[str, float]] = []
    who = threading.local()
    policy = RetryPolicy(sleep=lambda s: slept.append((who.name, s)), cooldown=CoolDown(clock=_frozen))
    script = Script(json_response({}, 429, {"retry-after": "2"}), OK)
    base = client(script, retry=policy)
    first, second = base.bind(Evidence()), base.bind(Evidence())  # two checks of one cell

    who.name = "first"
    assert first.create({}).status_code == 200
    who.name = "second"
    assert second.create({}).status_code == 200
    assert slept == [("first", 2.0), ("second", 2.0)]  # the second waited out the first one's Retry-After
    assert first.evidence.exchanges[0]["attempts"] == [{"status": 429, "wait_s": 2.0}, {"status": 200, "wait_s": None}]
    assert second.evidence.exchanges[0]["attempts"] == [{"status": 200, "wait_s": None}]  # waiting is no attempt
    assert len(script.requests) == 3


def test_the_request_told_to_wait_does_not_wait_twice() -> None:
    waits: list[float] = []
    script = Script(json_response({}, 503, {"retry-after": "1"}), json_response({}, 503, {"retry-after": "3"}), OK)
    c = client(script, retry=RetryPolicy(sleep=waits.append, cooldown=CoolDown(clock=_frozen)))
    assert c.create({}).status_code == 200
    assert waits == [1.0, 3.0]


def test_another_cell_is_not_slowed_down() -> None:
    waits: list[float] = []
    limited = client(Script(json_response({}, 429, {"retry-after": "2"}), OK),
                     retry=RetryPolicy(sleep=waits.append, cooldown=CoolDown(clock=_frozen)))
    other = client(Script(OK), retry=RetryPolicy(sleep=waits.append, cooldown=CoolDown(clock=_frozen)))
    limited.create({})
    other.create({})
    assert waits == [2.0]


def test_a_longer_pause_wins_and_a_wait_without_retry_after_is_not_shared() -> None:
    cool = CoolDown(clock=_frozen)
    assert cool.hold(5) == NOW + 5
    assert cool.hold(1) == NOW + 5  # a shorter pause does not cut a longer one short
    assert cool.remaining() == 5 and cool.remaining(slept_until=NOW + 4) == 1

    waits: list[float] = []
    script = Script(json_response({}, 503), OK)  # no Retry-After: the request backs off alone
    base = client(script, retry=RetryPolicy(sleep=waits.append, cooldown=CoolDown(clock=_frozen)))
    base.bind(Evidence()).create({})
    base.bind(Evidence()).create({})
    assert waits == [1.0]


def test_a_pause_held_while_waiting_is_waited_out_too() -> None:
    clock = [NOW]
    cool = CoolDown(clock=lambda: clock[0])
    cool.hold(2)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds
        if len(slept) == 1:
            cool.hold(3)  # another request of the cell was told to wait meanwhile

    assert cool.wait(sleep) == 5.0
    assert slept == [2.0, 3.0]


def test_a_retry_after_longer_than_max_wait_holds_the_cell_for_max_wait() -> None:
    waits: list[float] = []
    policy = RetryPolicy(sleep=waits.append, max_wait=30, cooldown=CoolDown(clock=_frozen))
    base = client(Script(json_response({}, 503, {"retry-after": "120"}), OK), retry=policy)
    assert base.bind(Evidence()).create({}).status_code == 503  # not retried: the server asks too long
    assert base.bind(Evidence()).create({}).status_code == 200
    assert waits == [30.0]


def test_a_request_of_another_thread_waits_out_the_pause_before_it_sends() -> None:
    """Real threads: a check's request started while another waits out a 429 first sleeps, then sends."""
    log: list[str] = []
    told, second_waits = threading.Event(), threading.Event()
    who = threading.local()

    def answer(request: httpx.Request) -> httpx.Response:
        name = request.headers["x-check"]
        first_try = f"{name} sent" not in log
        log.append(f"{name} sent")
        return json_response({}, 429, {"retry-after": "2"}) if name == "first" and first_try else OK

    def sleep(seconds: float) -> None:  # nobody really sleeps: the frozen clock makes the waits exact
        log.append(f"{who.name} sleeps {seconds:g}")
        if who.name == "first":
            told.set()  # the second check starts its request now ...
            second_waits.wait(10)  # ... and the first one retries once it waits (or gives up after 10 s)
        else:
            second_waits.set()

    base = client(Script(answer), retry=RetryPolicy(sleep=sleep, cooldown=CoolDown(clock=_frozen)))

    def second() -> None:
        who.name = "second"
        assert told.wait(10)
        assert base.bind(Evidence()).create({}, headers={"x-check": "second"}).status_code == 200

    thread = threading.Thread(target=second)
    thread.start()
    who.name = "first"
    assert base.bind(Evidence()).create({}, headers={"x-check": "first"}).status_code == 200
    thread.join(10)
    assert log.index("second sleeps 2") < log.index("second sent")
    assert log[:2] == ["first sent", "first sleeps 2"]
