"""report.json: sorted keys, round trip, and a clear ReportError for a bad file."""

from __future__ import annotations

import io

import orjson
import pytest

from conformance.report.json import ReportError, read_json, to_dict, write_json
from conformance.report.model import CellResult, CheckResult, Report, Verdict

IDENTITY = {
    "id": "azure-swedencentral-gpt4o-azure-v1", "provider": "azure", "region": "swedencentral",
    "deployment": "gpt4o", "model": "gpt-4o", "model_version": "2024-11-20", "api_style": "azure-v1",
    "api_version": "preview", "endpoint": "swc.openai.azure.com", "profile": "azure", "mode": "live",
    "auth": "api-key from $KEY",
}


def _report() -> Report:
    results = [
        CheckResult("stream.sequence.contiguous", Verdict.passed, "MUST", "", 0.5, 1),
        CheckResult("background.cancel.idempotent", Verdict.failed, "MUST", "second cancel differs", 1.25, 3,
                    [{"method": "POST", "url": "https://swc/openai/v1/responses/r/cancel", "status": 200}]),
        CheckResult("web_search.tool.basic", Verdict.known_issue, "SHOULD", "documented", 0.1, 1,
                    link="https://learn.microsoft.com/x"),
    ]
    return Report(tool_version="0.1.0", started_at="2026-11-27T06:00:00Z", finished_at="2026-11-27T06:01:00Z",
                  mode="live", command=["responses-conformance", "run"], cells=[CellResult(IDENTITY, results)],
                  cleanup_failures=["response resp_1: delete answered 500"], partial=True, partial_reason="budget spent")


def test_write_json_has_sorted_keys_and_the_issue_4_fields():
    out = io.StringIO()
    write_json(_report(), out)
    text = out.getvalue()
    document = orjson.loads(text)
    assert text == orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n"
    assert {"format_version", "tool_version", "started_at", "finished_at", "mode", "cells", "summary"} <= set(document)
    cell = document["cells"][0]
    assert {"region", "deployment", "model", "model_version", "api_style", "api_version", "endpoint", "results"} <= set(cell)
    assert {"check", "verdict", "level", "reason", "duration_s", "evidence"} <= set(cell["results"][0])
    assert document["summary"]["verdicts"] == {
        "passed": 1, "failed": 1, "non_strict": 0, "unsupported": 0, "not_applicable": 0, "known_issue": 1,
        "skipped": 0, "error": 0,
    }
    assert document["summary"]["features"]["stream"]["passed"] == 1


def test_a_report_round_trips(tmp_path):
    path = tmp_path / "report.json"
    with path.open("w") as out:
        write_json(_report(), out)
    again = read_json(path)
    assert again == _report()
    assert to_dict(again) == to_dict(_report())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format_version": "2", "cells": [', "truncated"),
        (b"", "truncated"),
        (b'{"format_version": "99", "cells": []}', "report format '99'"),
        (b"[1, 2]", "no format_version"),
        (b'{"format_version": "2", "tool_version": "x"}', "malformed report"),
    ],
)
def test_a_bad_file_is_a_report_error(tmp_path, content, message):
    path = tmp_path / "report.json"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message):
        read_json(path)


def test_a_missing_file_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="cannot read"):
        read_json(tmp_path / "nope.json")
