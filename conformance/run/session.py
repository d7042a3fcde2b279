"""The state of a pytest session of checks: its cells, what its checks share, their verdicts, its report.

The plugin's hooks and fixtures (``conformance.run.plugin``) feed it and make its verdicts pytest outcomes.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from conformance.checks import CheckInfo
from conformance.client import Budget
from conformance.matrix import Cell, MatrixError
from conformance.report.model import CellResult, Report
from conformance.run.context import CheckContext, RunResources
from conformance.run.launch import report_under_test
from conformance.run.options import OPTIONS, OptionError, RunCells, RunOption, RunOptions, cells_from
from conformance.run.outcome import Outcome, check_result, load_known_issues
from conformance.run.runner import new_report, now, picked

PREFIX = "--rc-"


def flag(row: RunOption) -> str:
    """The plugin's flag of a run option: ``--rc-`` + the flag of ``run`` without its dashes."""
    return PREFIX + row.flag.removeprefix("--")


class CheckSession:
    """A pytest session's cells (made on first use), shared resources (on the first check) and verdicts."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.effective: RunOptions | None = None  # as the conformance_options fixture gave them
        self.error: str | None = None
        self.resources: RunResources | None = None
        self.known_issues = load_known_issues()
        self.started = now()
        self.stopped: str | None = None
        self.plain_failed = False
        self.nodes: set[str] = set()
        self.module_files: set[Path] = set()  # of --rc-checks-from
        self.results: dict[str, CellResult] = {}
        self.selected: dict[str, dict[str, CheckInfo]] = {}
        self._cells: RunCells | None = None
        self._stack = ExitStack()

    def cells(self) -> list[Cell]:
        """The cells (the first call makes them); none, with ``error`` set, when the options cannot."""
        if self._cells is None and self.error is None:
            try:
                self.options.validate(PREFIX)
                self._cells = cells_from(self.options, self._stack)
            except (MatrixError, OptionError) as exc:
                self.error = f"responses-conformance: {exc}"
        return self._cells.cells if self._cells is not None else []

    def picks(self, info: CheckInfo) -> bool:
        """Whether the tier and the ``only`` globs take the check."""
        return picked(info, self.options.tier, self.options.only)

    def collected(self, node: str, cell: Cell, info: CheckInfo) -> None:
        """Note a test that judges the check in the cell."""
        self.nodes.add(node)
        self.results.setdefault(cell.id, CellResult(cell.identity()))
        self.selected.setdefault(cell.id, {})[info.id] = info

    def start(self, options: RunOptions) -> RunResources:
        """The resources every check shares, made with the fixture's options the first time; OptionError when
        they change what made the cells or picked the checks, or change from one check to the next."""
        if self.effective is None:
            changed = [flag(row) for row in OPTIONS if row.spec.stage != "run"
                       and getattr(options, row.name) != getattr(self.options, row.name)]
            if changed:
                raise OptionError(f"conformance_options changes {', '.join(changed)}: the options that make "
                                  "the cells or pick the checks come from the command line")
            assert self._cells is not None
            self.effective = options
            self.resources = RunResources(
                budget=Budget(options.max_requests, options.max_output_tokens), secrets=self._cells.secrets,
                transport_factory=self._cells.transport_factory, check_scope=self._cells.check_scope,
                mcp_seen=dict(self._cells.mcp_seen),
            )
        elif options != self.effective:
            raise OptionError("conformance_options must be the same for the whole session")
        assert self.resources is not None
        return self.resources

    def record(self, cell: Cell, info: CheckInfo, outcome: Outcome, duration: float = 0.0,
               context: CheckContext | None = None) -> None:
        """The check's verdict in the cell, for the report."""
        secrets = self._cells.secrets if self._cells is not None else None
        evidence = context.evidence() if context is not None else []
        findings = context.findings() if context is not None else []
        into = self.results.setdefault(cell.id, CellResult(cell.identity()))
        into.results = [r for r in into.results if r.check != info.id]
        into.results.append(check_result(info, outcome, duration, evidence, secrets, findings))

    def report(self, cleanup_failures: list[str]) -> Report | None:
        """The run's report, or None when no check was judged."""
        if self._cells is None or not any(result.results for result in self.results.values()):
            return None
        cells = [cell for cell in self._cells.cells if cell.id in self.results]
        selected = {cell_id: list(infos.values()) for cell_id, infos in self.selected.items()}
        report = new_report(
            cells, self.results, selected, started=self.started, command=self.options.command,
            secrets=self._cells.secrets, cleanup_failures=cleanup_failures, partial_reason=self.stopped,
        )
        return report_under_test(report, self.effective or self.options)

    def cleanup(self) -> list[str]:
        """Delete or cancel what the checks created; one line per object left behind."""
        if self.resources is None:
            return []
        concurrency = (self.effective or self.options).concurrency or 1
        return self.resources.cleanup(workers=concurrency)

    def close(self) -> None:
        """Release the connections and stop the embedded servers."""
        if self.resources is not None:
            self.resources.close()
        self._stack.close()
