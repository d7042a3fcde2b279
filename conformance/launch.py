"""What ``responses-conformance run`` does: pick the cells, run the suite, write report.json, gate.

The CLI only parses options; this module holds the orchestration so it is usable without the CLI.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from conformance.checks._check import Tier
from conformance.client import Budget, Secrets
from conformance.matrix import Cell, load_matrix, target_cell
from conformance.report.json import write_json
from conformance.report.model import Report, Verdict
from conformance.runner import Progress, run_suite

SECRET_OPTIONS = ("--api-key", "--bearer")
EXIT_INTERRUPTED = 130


class FailOn(str, Enum):
    """Which failures fail the run: at MUST, at MUST or SHOULD, or none."""

    must = "must"
    should = "should"
    never = "never"


@dataclass
class RunOptions:
    """Everything ``run`` was given (secrets included: they never leave this object unscrubbed)."""

    endpoint: str | None = None
    api_style: str | None = None
    model: str | None = None
    deployment: str | None = None
    region: str = ""
    api_version: str | None = None
    api_key: str | None = field(default=None, repr=False)
    bearer: str | None = field(default=None, repr=False)
    entra: bool = False
    config: Path | None = None
    profile: str | None = None
    tier: Tier = Tier.full
    only: Sequence[str] = ()
    out: Path = Path("reports/latest")
    jobs: int = 4
    max_requests: int | None = None
    max_output_tokens: int | None = None
    mcp_url: str | None = None
    image_deployment: str | None = None
    command: Sequence[str] = ()


def run_and_report(options: RunOptions, progress: Progress | None = None) -> tuple[Report, Path]:
    """Run the suite for the options' cells (the embedded reference servers with no target); write report.json.

    Raises MatrixError for a bad matrix file or target options, before anything runs.
    """
    secrets = Secrets([v for v in (options.api_key, options.bearer) if v])
    with ExitStack() as stack:
        mcp_seen: dict[str, list[dict[str, str]]] = {}
        cells = _given_cells(options)
        if cells is None:
            from conformance.embedded import embedded_targets

            embedded = stack.enter_context(embedded_targets())
            cells, mcp_seen = embedded.cells, {embedded.mcp_url: embedded.mcp_seen}
        report = run_suite(
            cells,
            tier=options.tier,
            only=list(options.only),
            jobs=options.jobs,
            budget=Budget(options.max_requests, options.max_output_tokens),
            secrets=secrets,
            progress=progress,
            mcp_seen=mcp_seen,
            command=redact_command(options.command),
        )
    return report, write_report(report, options.out)


def _given_cells(options: RunOptions) -> list[Cell] | None:
    if options.config is not None:
        cells = load_matrix(options.config)
    elif options.endpoint:
        cells = [
            target_cell(
                endpoint=options.endpoint, api_style=options.api_style, model=options.model or "",
                deployment=options.deployment, region=options.region, api_version=options.api_version, api_key=options.api_key,
                bearer=options.bearer, entra=options.entra,
            )
        ]
    else:
        return None
    changes: dict[str, object] = {}
    if options.profile:
        changes["profile"] = options.profile
    if options.mcp_url:
        changes["mcp_url"] = options.mcp_url
    if options.image_deployment:
        changes["image_deployment"] = options.image_deployment
    return [dataclasses.replace(cell, **changes) for cell in cells]  # type: ignore[arg-type]


def write_report(report: Report, out: Path) -> Path:
    """Write ``out/report.json`` through a temp file and a rename (an old report survives a failed write)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.json"
    handle, temp = tempfile.mkstemp(prefix=".report-", suffix=".json", dir=out)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            write_json(report, stream)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def redact_command(argv: Sequence[str]) -> list[str]:
    """The command line with the values of secret options replaced."""
    shown: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            shown.append("<redacted>")
            hide_next = False
        elif arg in SECRET_OPTIONS:
            shown.append(arg)
            hide_next = True
        elif arg.startswith(tuple(f"{o}=" for o in SECRET_OPTIONS)):
            shown.append(arg.split("=", 1)[0] + "=<redacted>")
        else:
            shown.append(arg)
    return shown


def exit_code(report: Report, fail_on: FailOn) -> int:
    """0 when nothing at or above ``fail_on`` failed or errored, 1 otherwise; 130 for an interrupted run."""
    if report.partial and report.partial_reason.startswith("interrupted"):
        return EXIT_INTERRUPTED
    if fail_on is FailOn.never:
        return 0
    levels = {"MUST"} if fail_on is FailOn.must else {"MUST", "SHOULD"}
    bad = (Verdict.failed, Verdict.error)
    return int(any(r.verdict in bad and r.level in levels for c in report.cells for r in c.results))
