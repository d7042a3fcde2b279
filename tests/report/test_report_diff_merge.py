"""`report diff` finds a planted regression and nothing else; `report merge` refuses what it cannot join."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import orjson
import pytest
from reportkit import identity, small_report
from typer.testing import CliRunner

from conformance.cli import app
from conformance.report.diff import diff_reports
from conformance.report.json import read_json, to_dict
from conformance.report.merge import MergeError, merge_reports
from conformance.report.model import CellResult, Report, Verdict
from conformance.run.launch import write_file


def _save(report: Report, path: Path) -> str:
    write_file(report, "json", path)
    return str(path)


def _planted() -> Report:
    """The small report with one passed check now failing in one cell."""
    report = copy.deepcopy(small_report())
    result = report.cells[0].results[1]
    assert result.verdict is Verdict.passed
    result.verdict, result.reason = Verdict.failed, "status 500"
    return report


def test_diff_finds_the_planted_regression_and_nothing_else(tmp_path: Path):
    found = diff_reports(small_report(), _planted())
    assert [(c.cell, c.check, c.old, c.new) for c in found.regressions] == [
        ("azure-swedencentral-gpt4o-azure-v1", "lifecycle.create.returns_response", "passed", "failed")
    ]
    assert (found.fixes, found.changes, found.new_checks, found.removed_checks, found.new_cells, found.removed_cells) == (
        [], [], [], [], [], []
    )
    old, new = _save(small_report(), tmp_path / "old.json"), _save(_planted(), tmp_path / "new.json")
    result = CliRunner().invoke(app, ["report", "diff", old, new, "--format", "json"])
    assert result.exit_code == 1
    assert len(orjson.loads(result.stdout)["regressions"]) == 1
    markdown = CliRunner().invoke(app, ["report", "diff", old, new])
    assert "1 regression(s), 0 fix(es), 0 other change(s)" in markdown.stdout
    assert "| `azure-swedencentral-gpt4o-azure-v1` | `lifecycle.create.returns_response` | passed | failed |" in markdown.stdout
    same = CliRunner().invoke(app, ["report", "diff", old, old])
    assert same.exit_code == 0 and "0 regression(s)" in same.stdout


def test_diff_reports_fixes_changes_and_new_or_removed_checks_and_cells():
    new = copy.deepcopy(small_report())
    new.cells[0].results[0].verdict = Verdict.passed  # the failure is fixed
    new.cells[1].results[1].verdict = Verdict.failed  # error -> failed: a change, not a regression
    del new.cells[1].results[2]  # files.purpose.user_data stays in cell 0: not a removed check
    new.cells[0].results.append(dataclasses.replace(new.cells[0].results[1], check="store.false.echoed"))
    new.cells.append(CellResult(identity("westus", "azure-v1"), []))
    found = diff_reports(small_report(), new)
    assert [c.check for c in found.fixes] == ["stream.sequence.contiguous"]
    assert [(c.old, c.new) for c in found.changes] == [("error", "failed")]
    assert (found.regressions, found.new_checks, found.removed_checks) == ([], ["store.false.echoed"], [])
    assert (found.new_cells, found.removed_cells) == (["azure-westus-gpt4o-azure-v1"], [])


def test_merge_joins_shards_and_refuses_overlaps_and_other_versions(tmp_path: Path):
    report = small_report()
    first, second = copy.deepcopy(report), copy.deepcopy(report)
    first.cells, second.cells = report.cells[:1], report.cells[1:]
    second.started_at, second.finished_at, second.cleanup_failures = "2026-11-27T05:59:00Z", "2026-11-27T06:02:00Z", ["x"]
    merged = merge_reports([first, second])
    assert [c.id for c in merged.cells] == [c.id for c in report.cells]
    assert (merged.started_at, merged.finished_at, merged.cleanup_failures) == (
        "2026-11-27T05:59:00Z", "2026-11-27T06:02:00Z", ["x"]
    )
    with pytest.raises(MergeError, match="cell azure-swedencentral-gpt4o-azure-v1 is in more than one report"):
        merge_reports([first, report])
    other = dataclasses.replace(second, tool_version="0.2.0")
    with pytest.raises(MergeError, match=r"different tool versions: 0\.1\.0, 0\.2\.0"):
        merge_reports([first, other])
    paths = [_save(first, tmp_path / "a.json"), _save(other, tmp_path / "b.json")]
    result = CliRunner().invoke(app, ["report", "merge", *paths, "-o", str(tmp_path / "m.json")])
    assert result.exit_code == 2 and result.output == "error: reports from different tool versions: 0.1.0, 0.2.0\n"
    assert not (tmp_path / "m.json").exists()


def _with_identity(report: Report, index: int, **changes: str) -> Report:
    changed = copy.deepcopy(report)
    changed.cells[index].identity.update(changes)
    return changed


def test_diff_matches_cells_on_their_whole_identity_not_on_their_ids():
    renamed = _with_identity(_planted(), 0, id="azure-swedencentral-gpt4o-azure-v1-swc.openai.azure.com")
    found = diff_reports(small_report(), renamed)  # the same cell under a new id: still compared
    assert [(c.cell, c.check) for c in found.regressions] == [
        ("azure-swedencentral-gpt4o-azure-v1-swc.openai.azure.com", "lifecycle.create.returns_response")
    ]
    assert (found.new_cells, found.removed_cells) == ([], [])
    other_model = _with_identity(_planted(), 0, model="gpt-4o-mini")  # the same id, another cell
    found = diff_reports(small_report(), other_model)
    assert found.regressions == []
    assert found.new_cells == found.removed_cells == ["azure-swedencentral-gpt4o-azure-v1"]
    moved = _with_identity(small_report(), 0, endpoint="127.0.0.1:4001")
    again = _with_identity(_planted(), 0, endpoint="127.0.0.1:4999")  # a local server: a new port each run
    assert len(diff_reports(moved, again).regressions) == 1


def test_merge_tells_cells_apart_by_their_whole_identity():
    report = small_report()
    first, second = copy.deepcopy(report), copy.deepcopy(report)
    first.cells, second.cells = report.cells[:1], report.cells[:1]
    second = _with_identity(second, 0, profile="open-responses")  # the same id, another cell
    assert len(merge_reports([first, second]).cells) == 2
    renamed = _with_identity(first, 0, id="another-id")  # the same cell under another id
    with pytest.raises(MergeError, match="cell another-id is in more than one report"):
        merge_reports([first, renamed])


def _format_1(report: Report) -> bytes:
    """The report as format 1 wrote it: each result's evidence inline, no checks catalogue."""
    document = to_dict(report)
    evidence = document.pop("evidence")
    del document["checks"]
    document["format_version"] = "1"
    for cell in document["cells"]:
        for result in cell["results"]:
            result["evidence"] = [] if result["evidence"] is None else evidence[result["evidence"]]
    return orjson.dumps(document)


def test_the_report_commands_read_a_format_1_report(tmp_path: Path):
    old = tmp_path / "old.json"
    old.write_bytes(_format_1(small_report()))
    read = read_json(old)
    assert read.cells == small_report().cells and read.checks == {}
    new = _save(_planted(), tmp_path / "new.json")
    result = CliRunner().invoke(app, ["report", "diff", str(old), new])
    assert result.exit_code == 1 and "1 regression(s), 0 fix(es), 0 other change(s)" in result.stdout
    merged = tmp_path / "merged.json"
    first = tmp_path / "first.json"
    first.write_bytes(_format_1(dataclasses.replace(small_report(), cells=small_report().cells[:1])))
    second = _save(dataclasses.replace(small_report(), cells=small_report().cells[1:]), tmp_path / "second.json")
    result = CliRunner().invoke(app, ["report", "merge", str(first), second, "-o", str(merged)])
    assert result.exit_code == 0, result.output
    assert read_json(merged).cells == small_report().cells
    rendered = CliRunner().invoke(app, ["report", "render", str(old), "--format", "md", "-o", str(tmp_path / "r.md")])
    assert rendered.exit_code == 0, rendered.output
