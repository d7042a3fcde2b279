"""A restarted server on the same SQLite file serves retrieve, input_items and stream resume identically."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from refkit import Ref, events, start


def test_restart_on_the_same_database(tmp_path: Path) -> None:
    db = str(tmp_path / "reference.sqlite3")
    first = start("azure", db=db, think_time=0.1)
    try:
        ref = Ref(first, "azure-v1")
        streamed = ref.stream({"model": "gpt-4o-mini", "input": "Count to 20"})
        rid = streamed[0]["response"]["id"]
        bg = events(ref.create({"model": "o3", "input": "Say ready", "background": True, "stream": True}))
        bid = bg[0]["response"]["id"]
        before = {
            x: (
                ref.request("GET", f"/responses/{x}").json(),
                ref.request("GET", f"/responses/{x}/input_items").json(),
                ref.request("GET", f"/responses/{x}", params={"stream": "true", "starting_after": 2}).content,
            )
            for x in (rid, bid)
        }
    finally:
        first.stop()
    second = start("azure", db=db)
    try:
        ref = Ref(second, "azure-v1")
        for x, (body, items, resumed) in before.items():
            assert ref.request("GET", f"/responses/{x}").json() == body
            assert ref.request("GET", f"/responses/{x}/input_items").json() == items
            assert ref.request("GET", f"/responses/{x}", params={"stream": "true", "starting_after": 2}).content == resumed
    finally:
        second.stop()


def test_an_unfinished_background_job_resumes_after_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "jobs.sqlite3")
    first = start("openai", db=db, think_time=5)
    try:
        ref = Ref(first)
        body = {"model": "gpt-4o-mini", "input": "Say again", "background": True, "stream": True}
        with ref.http.stream("POST", "/responses", json=body) as live:
            head = next(live.iter_bytes())
        sid = orjson.loads(head.split(b"data: ", 1)[1].split(b"\n", 1)[0])["response"]["id"]
        rid = ref.ok({"model": "gpt-4o-mini", "input": "Say resumed", "background": True})["id"]
        assert ref.request("GET", f"/responses/{rid}").json()["status"] == "queued"
    finally:
        first.stop()
    second = start("openai", db=db, think_time=0.1)
    try:
        ref = Ref(second)
        resumed = events(ref.request("GET", f"/responses/{sid}", params={"stream": "true", "starting_after": 0}))
        assert resumed[-1]["type"] == "response.completed"
        deadline = time.monotonic() + 5
        while ref.request("GET", f"/responses/{rid}").json()["status"] != "completed" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ref.request("GET", f"/responses/{rid}").json()["output"][0]["content"][0]["text"] == "resumed"
    finally:
        second.stop()
