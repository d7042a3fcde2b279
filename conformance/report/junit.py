"""JUnit XML: one ``<testsuite>`` per cell, one ``<testcase>`` per check (stdlib ElementTree).

``failed`` maps to ``<failure>``, ``error`` to ``<error>``; every verdict that is neither passed nor one
of those (not_applicable, unsupported, skipped, known_issue, non_strict) maps to ``<skipped>`` with its reason.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from conformance.report.model import CellResult, Report, Verdict


def write(report: Report, out: TextIO) -> None:
    """Write the report as JUnit XML."""
    root = ET.Element("testsuites", name="responses-conformance", tests=str(_count(report.cells)))
    root.set("failures", str(_count(report.cells, Verdict.failed)))
    root.set("errors", str(_count(report.cells, Verdict.error)))
    for cell in report.cells:
        root.append(_suite(cell, report))
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def _suite(cell: CellResult, report: Report) -> ET.Element:
    suite = ET.Element("testsuite", name=cell.id, tests=str(len(cell.results)), timestamp=report.started_at)
    suite.set("failures", str(_count([cell], Verdict.failed)))
    suite.set("errors", str(_count([cell], Verdict.error)))
    suite.set("skipped", str(sum(r.verdict not in (Verdict.passed, Verdict.failed, Verdict.error) for r in cell.results)))
    suite.set("time", f"{sum(r.duration_s for r in cell.results):.3f}")
    properties = ET.SubElement(suite, "properties")
    for key, value in sorted(cell.identity.items()):
        ET.SubElement(properties, "property", name=key, value=value)
    for result in cell.results:
        case = ET.SubElement(suite, "testcase", classname=f"{cell.id}.{result.feature}", name=result.check)
        case.set("time", f"{result.duration_s:.3f}")
        message = f"{result.level}: {result.reason}"
        if result.verdict is Verdict.failed:
            ET.SubElement(case, "failure", message=message, type=result.level).text = _detail(result.check, report)
        elif result.verdict is Verdict.error:
            ET.SubElement(case, "error", message=message, type="error").text = _detail(result.check, report)
        elif result.verdict is not Verdict.passed:
            ET.SubElement(case, "skipped", message=f"{result.verdict.value}: {result.reason}")
    return suite


def _detail(check: str, report: Report) -> str:
    entry = report.checks.get(check, {})
    return f"{entry.get('sentence', '')}\nspec: {entry.get('spec', '')}".strip()


def _count(cells: list[CellResult], verdict: Verdict | None = None) -> int:
    return sum(verdict is None or r.verdict is verdict for c in cells for r in c.results)
