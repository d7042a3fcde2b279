"""Join shard reports into one: same tool version, no cell (by its whole identity) in two shards."""

from __future__ import annotations

from collections.abc import Sequence

from conformance.report.model import Report


class MergeError(ValueError):
    """The reports cannot be merged (different tool versions, a cell in two reports, nothing to merge)."""


def merge_reports(reports: Sequence[Report]) -> Report:
    """One report with every cell of every shard, in the order given; the run spans all shards."""
    if not reports:
        raise MergeError("nothing to merge")
    versions = sorted({r.tool_version for r in reports})
    if len(versions) > 1:
        raise MergeError(f"reports from different tool versions: {', '.join(versions)}")
    seen: set[tuple[str, ...]] = set()
    for report in reports:
        for cell in report.cells:
            if cell.key in seen:
                raise MergeError(f"cell {cell.id} is in more than one report")
            seen.add(cell.key)
    modes = sorted({r.mode for r in reports})
    reasons = [r.partial_reason for r in reports if r.partial]
    return Report(
        tool_version=versions[0],
        started_at=min(r.started_at for r in reports),
        finished_at=max(r.finished_at for r in reports),
        mode=modes[0] if len(modes) == 1 else "mixed",
        command=list(reports[0].command),
        cells=[cell for r in reports for cell in r.cells],
        cleanup_failures=[line for r in reports for line in r.cleanup_failures],
        partial=bool(reasons),
        partial_reason="; ".join(dict.fromkeys(reasons)),
        checks={k: v for r in reports for k, v in r.checks.items()},
    )
