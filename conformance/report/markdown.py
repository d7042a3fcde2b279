"""Markdown for a pull request: the run, a summary table per cell, the findings, then one table per feature."""

from __future__ import annotations

from typing import TextIO

from conformance.report._verdicts import SYMBOLS, label
from conformance.report.model import Report, Verdict


def write(report: Report, out: TextIO) -> None:
    """Write the report as GitHub-flavoured Markdown."""
    lines = [
        "# responses-conformance report",
        "",
        f"tool {report.tool_version} · {report.mode} · {report.started_at} → {report.finished_at}"
        + (f" · **partial: {_cell_text(report.partial_reason)}**" if report.partial else ""),
        "",
        f"command: `{' '.join(report.command)}`",
        "",
        "Legend: " + " · ".join(f"{SYMBOLS[v]} {v.value}" for v in Verdict),
        "",
        "## Summary",
        "",
        _row(["cell", *(f"{SYMBOLS[v]} {v.value}" for v in Verdict)]),
        _row(["---"] * (len(Verdict) + 1)),
    ]
    counts = report.summary["cells"]
    for cell in report.cells:
        lines.append(_row([f"`{cell.id}`", *(str(counts[cell.id][v.value]) for v in Verdict)]))
    lines += _findings(report)
    for feature in sorted({r.feature for c in report.cells for r in c.results}):
        lines += ["", f"## {feature}", "", _row(["check", "level", *(label(c) for c in report.cells)])]
        lines.append(_row(["---"] * (len(report.cells) + 2)))
        checks = sorted({r.check for c in report.cells for r in c.results if r.feature == feature})
        for check in checks:
            row = [f"`{check}`", _level(report, check)]
            for cell in report.cells:
                found = next((r for r in cell.results if r.check == check), None)
                row.append("" if found is None else _verdict_text(found.verdict, found.reason))
            lines.append(_row(row))
    if report.cleanup_failures:
        lines += ["", "## Not cleaned up", "", *(f"- {_cell_text(line)}" for line in report.cleanup_failures)]
    out.write("\n".join(lines) + "\n")


def _findings(report: Report) -> list[str]:
    """Every root cause the run saw, once: where, what was found, and which checks and cells saw it."""
    findings = report.findings
    if not findings:
        return []
    lines = ["", f"## Findings ({len(findings)})", "",
             "Contract violations seen on the way, each root cause once (strict: only strict mode rejects it).", "",
             _row(["finding", "level", "rule", "where", "found", "checks", "cells"]), _row(["---"] * 7)]
    for f in findings:
        where = f"{f.finding.where} `{f.finding.pointer}`" if f.finding.pointer else f.finding.where
        level = f"{f.level} (strict)" if f.finding.strict else f.level
        found = _cell_text(f"{f.finding.message}" + (f" (found {f.finding.found})" if f.finding.found else ""))
        lines.append(_row([f.id, level, f"`{f.finding.rule}`", _cell_text(where), found,
                           _cell_text(", ".join(f.checks)), _cell_text(", ".join(f.cells))]))
    return lines


def _level(report: Report, check: str) -> str:
    return next((r.level for c in report.cells for r in c.results if r.check == check), "")


def _verdict_text(verdict: Verdict, reason: str) -> str:
    shown = f"{SYMBOLS[verdict]} {verdict.value}"
    if verdict in (Verdict.passed, Verdict.not_applicable) or not reason:
        return shown
    return f"{shown}: {_cell_text(reason)}"


def _cell_text(text: str) -> str:
    """Text safe inside a table cell: one line, pipes escaped, cut at 160 characters."""
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= 160 else flat[:159] + "…"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
