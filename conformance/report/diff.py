"""Compare two reports per (cell, check ID): regressions, fixes, other changes, new and removed checks and cells.

Cells are matched on their whole identity (``CellResult.key``), not on their IDs, which may differ between
versions of the tool; a change names the cell by its ID in the new report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

import orjson

from conformance.report.model import Report, Verdict


@dataclass
class Change:
    """One check in one cell whose verdict differs between the two reports."""

    cell: str
    check: str
    old: str
    new: str
    reason: str


@dataclass
class ReportDiff:
    """What changed from OLD to NEW; a regression is passed → failed for the same check and cell."""

    regressions: list[Change] = field(default_factory=list)
    fixes: list[Change] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    new_checks: list[str] = field(default_factory=list)
    removed_checks: list[str] = field(default_factory=list)
    new_cells: list[str] = field(default_factory=list)
    removed_cells: list[str] = field(default_factory=list)


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """Every verdict change of a (cell, check) present in both reports, and what appeared or went away."""
    before = {(c.key, r.check): r for c in old.cells for r in c.results}
    after = {(c.key, r.check): r for c in new.cells for r in c.results}
    old_checks, new_checks = {k[1] for k in before}, {k[1] for k in after}
    old_cells, new_cells = {c.key: c.id for c in old.cells}, {c.key: c.id for c in new.cells}
    names = {**old_cells, **new_cells}
    result = ReportDiff(
        new_checks=sorted(new_checks - old_checks), removed_checks=sorted(old_checks - new_checks),
        new_cells=sorted(new_cells[k] for k in new_cells.keys() - old_cells.keys()),
        removed_cells=sorted(old_cells[k] for k in old_cells.keys() - new_cells.keys()),
    )
    for key in sorted(before.keys() & after.keys(), key=lambda k: (names[k[0]], k)):
        was, now = before[key].verdict, after[key].verdict
        if was is now:
            continue
        change = Change(names[key[0]], key[1], was.value, now.value, after[key].reason)
        if was is Verdict.passed and now is Verdict.failed:
            result.regressions.append(change)
        elif was is Verdict.failed and now is Verdict.passed:
            result.fixes.append(change)
        else:
            result.changes.append(change)
    return result


def write_json(diff: ReportDiff, out: TextIO) -> None:
    """The diff as indented JSON with sorted keys."""
    document: dict[str, Any] = asdict(diff)
    out.write(orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode() + "\n")


def write_markdown(diff: ReportDiff, out: TextIO) -> None:
    """The diff as Markdown: a headline of counts, then a table per kind of change."""
    lines = [
        "# responses-conformance diff",
        "",
        f"{len(diff.regressions)} regression(s), {len(diff.fixes)} fix(es), {len(diff.changes)} other change(s); "
        f"checks +{len(diff.new_checks)} -{len(diff.removed_checks)}; cells +{len(diff.new_cells)} -{len(diff.removed_cells)}",
    ]
    for title, changes in (("Regressions", diff.regressions), ("Fixes", diff.fixes), ("Other changes", diff.changes)):
        if changes:
            lines += ["", f"## {title}", "", "| cell | check | old | new | reason |", "| --- | --- | --- | --- | --- |"]
            lines += [f"| `{c.cell}` | `{c.check}` | {c.old} | {c.new} | {_flat(c.reason)} |" for c in changes]
    for title, names in (
        ("New checks", diff.new_checks), ("Removed checks", diff.removed_checks),
        ("New cells", diff.new_cells), ("Removed cells", diff.removed_cells),
    ):
        if names:
            lines += ["", f"## {title}", "", *(f"- `{name}`" for name in names)]
    out.write("\n".join(lines) + "\n")


def _flat(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")[:200]
