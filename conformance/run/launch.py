"""What ``responses-conformance run`` does: pick the cells, run the suite, write report.json, gate.

The CLI only parses options (``conformance.run.options``); this module holds the orchestration so it is
usable without the CLI.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from conformance.client import Budget
from conformance.report.model import Report, Verdict
from conformance.report.render import FILE_NAMES, WRITERS, RenderFormat
from conformance.run.options import SECRET_FLAGS, FailOn, RunOptions, cells_from
from conformance.run.outcome import PREFLIGHT
from conformance.run.runner import Progress, run_suite

EXIT_INTERRUPTED = 130


def run_and_report(
    options: RunOptions, progress: Progress | None = None, problems: list[str] | None = None
) -> tuple[Report, Path]:
    """Run the suite for the options' cells (the embedded reference servers with no target); write every format.

    Raises MatrixError or OptionError for a bad matrix file or target options, before anything runs. Corrupt
    cassettes (record/replay) are added to ``problems``, one line each; the run goes on.
    """
    with ExitStack() as stack:
        run = cells_from(options, stack)
        report = run_suite(
            run.cells,
            tier=options.tier,
            only=options.only,
            checks_from=options.checks_from,
            jobs=options.jobs,
            concurrency=options.concurrency,
            budget=Budget(options.max_requests, options.max_output_tokens),
            secrets=run.secrets,
            progress=progress,
            mcp_seen=run.mcp_seen,
            command=redact_command(options.command),
            transport_factory=run.transport_factory,
            check_scope=run.check_scope,
            preflight=True,
        )
        if problems is not None:
            problems += run.problems
    report = report_under_test(report, options)
    return report, write_report(report, options.out)


def report_under_test(report: Report, options: RunOptions) -> Report:
    """The report with the SDK and gateway under test added to each cell's identity."""
    for cell in report.cells:
        cell.identity.update(options.under_test)
    return report


def write_report(report: Report, out: Path, formats: Sequence[RenderFormat] = tuple(WRITERS)) -> Path:
    """Write report.json, report.html, report.md and junit.xml into ``out``; return report.json's path.

    Each goes through a temp file and a rename (an old report survives a failed write).
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in formats:
        write_file(report, name, out / FILE_NAMES[name])
    return out / FILE_NAMES["json"]


def write_file(report: Report, format_name: RenderFormat, path: Path) -> None:
    """Write one format of the report to ``path`` through a temp file beside it and a rename."""
    handle, temp = tempfile.mkstemp(prefix=".report-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            WRITERS[format_name](report, stream)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def redact_command(argv: Sequence[str], flags: Sequence[str] = SECRET_FLAGS) -> list[str]:
    """The command line with the values of the secret options (``flags``) replaced."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            shown.append("<redacted>")
            hide_next = False
        elif arg in flags:
            shown.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f"{o}=" for o in flags)):
            shown.append(arg.split("=", 1)[0] + "=<redacted>")
        else:
            shown.append(arg)
    return shown


def exit_code(report: Report, fail_on: FailOn) -> int:
    """0 when nothing at or above ``fail_on`` failed or errored, 1 otherwise; 130 for an interrupted run."""
    if report.partial and report.partial_reason.startswith("interrupted"):
        return EXIT_INTERRUPTED
    if fail_on == "never":
        return 0
    levels = {"MUST"} if fail_on == "must" else {"MUST", "SHOULD"}
    bad = (Verdict.failed, Verdict.error)
    return int(any(r.verdict in bad and r.level in levels for c in report.cells for r in c.results))


def preflight_failures(report: Report) -> dict[str, str]:
    """The cells whose target could not be judged at all (preflight), with the one reason each."""
    failed: dict[str, str] = {}
    for cell in report.cells:
        reason = next((r.reason for r in cell.results if r.reason.startswith(PREFLIGHT)), None)
        if reason is not None:
            failed[cell.id] = reason
    return failed
