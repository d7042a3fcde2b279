"""The terminal view of a run: a live progress display (a bar per cell) and the summary table."""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from conformance.matrix import Cell
from conformance.report.model import CheckResult, Report, Verdict

STYLES = {
    Verdict.passed: "green", Verdict.failed: "bold red", Verdict.non_strict: "yellow",
    Verdict.unsupported: "cyan", Verdict.not_applicable: "dim", Verdict.known_issue: "magenta",
    Verdict.skipped: "dim", Verdict.error: "bold red",
}
MAX_LISTED = 30


class ProgressDisplay:
    """One progress bar per cell, updated from the runner's callback; silent when not on a terminal."""

    def __init__(self, console: Console) -> None:
        self._enabled = console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}"),
            console=console, transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> ProgressDisplay:
        if self._enabled:
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._enabled:
            self._progress.stop()

    def __call__(self, cell: Cell, result: CheckResult, total: int) -> None:
        """Advance the cell's bar by one check."""
        if not self._enabled:
            return
        with self._lock:
            if cell.id not in self._tasks:
                self._tasks[cell.id] = self._progress.add_task(cell.id, total=total, last="")
            style = STYLES[result.verdict]
            last = f"[{style}]{result.verdict.value}[/] {result.check}"
            self._progress.update(self._tasks[cell.id], advance=1, last=last)


def print_summary(report: Report, console: Console, path: str) -> None:
    """Print the verdict counts per cell, the failed and errored checks, and where the report is."""
    counts = report.summary["cells"]
    shown = [v for v in Verdict if v is Verdict.passed or report.summary["verdicts"][v.value]]
    table = Table(title="responses-conformance")
    table.add_column("cell", no_wrap=True)
    for verdict in shown:
        table.add_column(verdict.value, justify="right", style=STYLES[verdict])
    for cell in report.cells:
        table.add_row(cell.id, *(str(counts[cell.id][v.value]) for v in shown))
    console.print(table)
    bad = [(c.id, r) for c in report.cells for r in c.results if r.verdict in (Verdict.failed, Verdict.error)]
    not_run = [pair for pair in bad if report.partial and pair[1].reason == report.partial_reason]
    bad = [pair for pair in bad if pair not in not_run]
    for cell_id, result in bad[:MAX_LISTED]:
        console.print(
            f"[{STYLES[result.verdict]}]{result.verdict.value}[/] {result.level} {escape(result.check)} "
            f"{escape('[' + cell_id + ']')}: {escape(result.reason)}",
            markup=True, highlight=False,
        )
    if len(bad) > MAX_LISTED:
        console.print(f"... and {len(bad) - MAX_LISTED} more (see the report)")
    for line in report.cleanup_failures:
        console.print(f"[yellow]not cleaned up:[/] {escape(line)}")
    if report.partial:
        console.print(f"[yellow]partial report:[/] {escape(report.partial_reason)} ({len(not_run)} checks not run)")
    console.print(f"report: {escape(path)}")
