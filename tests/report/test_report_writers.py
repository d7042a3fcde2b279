"""The Markdown, JUnit and HTML writers against StringIO snapshots, and what each format must say."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from reportkit import small_report

from conformance.report.render import WRITERS

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("RC_UPDATE_SNAPSHOTS") == "1"


def _render(name: str) -> str:
    out = io.StringIO()
    WRITERS[name](small_report(), out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "file"), [("md", "report.md"), ("junit", "junit.xml"), ("html", "report.html")])
def test_writer_matches_its_snapshot(name, file):
    text = _render(name)
    snapshot = SNAPSHOTS / file
    if UPDATE:
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8"), f"{file} changed: RC_UPDATE_SNAPSHOTS=1 pytest to accept"


def test_junit_has_one_suite_per_cell_and_maps_verdicts():
    root = ET.fromstring(_render("junit"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["azure-swedencentral-gpt4o-azure-v1", "azure-eastus-gpt4o-azure-v1"]
    first, second = suites
    assert [(c.get("name"), [e.tag for e in c]) for c in first.findall("testcase")] == [
        ("stream.sequence.contiguous", ["failure"]),
        ("lifecycle.create.returns_response", []),
        ("files.purpose.user_data", ["skipped"]),
    ]
    assert second.find("testcase[@name='lifecycle.create.returns_response']/error") is not None
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("6", "1", "1")
    assert first.find("properties/property[@name='region']").get("value") == "swedencentral"


def test_markdown_escapes_pipes_and_groups_by_feature():
    text = _render("md")
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Summary", "## Findings (2)", "## files", "## lifecycle", "## stream",
    ]
    assert "sequence 1 missing <script>x</script> \\| y" in text
    assert "| `azure-swedencentral-gpt4o-azure-v1` | 1 | 1 | 0 | 0 | 0 | 1 | 0 | 0 |" in text


def test_html_is_self_contained_and_escapes_what_it_shows():
    text = _render("html")
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)
    assert "@import" not in text and "url(" not in text
    assert "<script>x</script>" not in text
    assert text.count('<tr class="check"') == 3 and text.count("<button class=\"v-") == 6
    assert '<th colspan="1">eastus</th><th colspan="1">swedencentral</th>' in text


def test_html_of_14_regions_by_12_models_groups_columns_by_region():
    report = small_report()
    template = report.cells[0]
    report.cells = [
        type(template)({**template.identity, "region": f"region{r:02d}", "deployment": f"model{m:02d}",
                        "id": f"azure-region{r:02d}-model{m:02d}-azure-v1"}, template.results)
        for r in range(14) for m in range(12)
    ]
    out = io.StringIO()
    WRITERS["html"](report, out)
    text = out.getvalue()
    assert re.findall(r'<th colspan="(\d+)">region', text) == ["12"] * 14
    assert text.count('<th class="col"') == 168 and text.count("<button class=\"v-") == 168 * 3
