"""Every report command answers a bad report with one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportkit import small_report
from typer.testing import CliRunner

from conformance.cli import app
from conformance.run.launch import write_file


@pytest.fixture
def good(tmp_path: Path) -> str:
    path = tmp_path / "good.json"
    write_file(small_report(), "json", path)
    return str(path)


@pytest.fixture(params=["truncated", "version", "missing", "not-a-report"])
def bad(request: pytest.FixtureRequest, good: str, tmp_path: Path) -> tuple[str, str]:
    path = tmp_path / "bad.json"
    text = Path(good).read_text()
    if request.param == "truncated":
        path.write_text(text[: len(text) // 2])
        return str(path), "not a JSON document (truncated?)"
    if request.param == "version":
        path.write_text(text.replace('"format_version": "3"', '"format_version": "0"'))
        return str(path), "report format '0', this tool reads 1, 2, 3"
    if request.param == "missing":
        return str(tmp_path / "nope.json"), "cannot read"
    path.write_text('{"cells": []}')
    return str(path), "not a responses-conformance report"


@pytest.mark.parametrize(
    "command",
    [
        ["report", "render", "{bad}"],
        ["report", "render", "{bad}", "--format", "junit", "-o", "{out}"],
        ["report", "diff", "{good}", "{bad}"],
        ["report", "diff", "{bad}", "{good}", "--format", "json"],
        ["report", "merge", "{good}", "{bad}", "-o", "{out}"],
    ],
)
def test_a_bad_report_is_one_line_and_exit_2(command: list[str], good: str, bad: tuple[str, str], tmp_path: Path):
    path, message = bad
    out = tmp_path / "out.file"
    args = [a.format(bad=path, good=good, out=out) for a in command]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: ") and message in lines[0], lines
    assert not out.exists()


@pytest.mark.parametrize(("name", "marker"), [("html", "<!DOCTYPE html>"), ("md", "# responses-conformance"), ("junit", "<testsuites")])
def test_render_writes_each_format(name: str, marker: str, good: str, tmp_path: Path):
    result = CliRunner().invoke(app, ["report", "render", good, "--format", name])
    assert result.exit_code == 0 and marker in result.stdout
    out = tmp_path / f"r.{name}"
    assert CliRunner().invoke(app, ["report", "render", good, "-f", name, "-o", str(out)]).exit_code == 0
    assert out.read_text() == result.stdout
