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
from typing import TYPE_CHECKING

from conformance.checks._check import Tier
from conformance.client import Budget, Secrets
from conformance.matrix import Cell, load_matrix, target_cell
from conformance.report.model import Report, Verdict
from conformance.report.render import FILE_NAMES, WRITERS
from conformance.run.runner import Progress, run_suite

if TYPE_CHECKING:
    from conformance.cassettes import CassetteSession

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
    concurrency: int | None = None  # checks in flight per cell; None: each cell's own, else the runner's default
    max_requests: int | None = None
    max_output_tokens: int | None = None
    mcp_url: str | None = None
    image_deployment: str | None = None
    command: Sequence[str] = ()
    shard: tuple[int, int] | None = None  # (I, N): run the I-th of N deterministic slices of the cells
    under_test: dict[str, str] = field(default_factory=dict)  # sdk / gateway under test, added to each cell's identity
    mode: str = "live"  # live | record | replay (cassettes)
    cassettes: Path | None = None  # default: cassettes/, or the shipped ones when replaying the embedded cells


def run_and_report(
    options: RunOptions, progress: Progress | None = None, problems: list[str] | None = None
) -> tuple[Report, Path]:
    """Run the suite for the options' cells (the embedded reference servers with no target); write every format.

    Raises MatrixError for a bad matrix file or target options, before anything runs. Corrupt cassettes
    (record/replay) are added to ``problems``, one line each; the run goes on.
    """
    secrets = Secrets([v for v in (options.api_key, options.bearer) if v])
    with ExitStack() as stack:
        mcp_seen: dict[str, list[dict[str, str]]] = {}
        cells = _given_cells(options)
        if cells is None and options.mode == "replay":
            from conformance.cassettes import reference_replay_cells, shipped_cassettes

            cells = reference_replay_cells()
            options = dataclasses.replace(options, cassettes=options.cassettes or shipped_cassettes())
        if cells is None:
            from conformance.run.embedded import embedded_targets

            embedded = stack.enter_context(embedded_targets())
            cells, mcp_seen = embedded.cells, {embedded.mcp_url: embedded.mcp_seen}
        if options.shard is not None:
            cells = shard(cells, *options.shard)
        if options.mode != "live":
            cells = [dataclasses.replace(cell, mode=options.mode) for cell in cells]
        session = _cassettes(options, cells, secrets)
        report = run_suite(
            cells,
            tier=options.tier,
            only=list(options.only),
            jobs=options.jobs,
            concurrency=options.concurrency,
            budget=Budget(options.max_requests, options.max_output_tokens),
            secrets=secrets,
            progress=progress,
            mcp_seen=mcp_seen,
            command=redact_command(options.command),
            transport_factory=session.transport if session else None,
            check_scope=session.scope if session else None,
        )
        if session is not None and problems is not None:
            problems += session.errors
    for cell in report.cells:
        cell.identity.update(options.under_test)
    return report, write_report(report, options.out)


def _cassettes(options: RunOptions, cells: Sequence[Cell], secrets: Secrets) -> CassetteSession | None:
    if all(cell.mode == "live" for cell in cells):
        return None
    from conformance.cassettes import CassetteSession

    for cell in cells:
        secrets.add(*cell.secrets())
    return CassetteSession(options.cassettes or Path("cassettes"), cells, secrets)


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` (1 ≤ I ≤ N) as a pair; ValueError with a one-line message otherwise."""
    index, sep, total = text.partition("/")
    if not (sep and index.isdigit() and total.isdigit() and 1 <= int(index) <= int(total)):
        raise ValueError(f"--shard must be I/N with 1 <= I <= N, not {text!r}")
    return int(index), int(total)


def shard(cells: Sequence[Cell], index: int, total: int) -> list[Cell]:
    """The I-th of N slices: cells sorted by ID, every N-th from position I-1 (the same for any input order)."""
    return [cell for n, cell in enumerate(sorted(cells, key=lambda c: c.id)) if n % total == index - 1]


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


def write_report(report: Report, out: Path, formats: Sequence[str] = tuple(WRITERS)) -> Path:
    """Write report.json, report.html, report.md and junit.xml into ``out``; return report.json's path.

    Each goes through a temp file and a rename (an old report survives a failed write).
    """
    out.mkdir(parents=True, exist_ok=True)
    for name in formats:
        write_file(report, name, out / FILE_NAMES[name])
    return out / FILE_NAMES["json"]


def write_file(report: Report, format_name: str, path: Path) -> None:
    """Write one format of the report to ``path`` through a temp file beside it and a rename."""
    handle, temp = tempfile.mkstemp(prefix=".report-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            WRITERS[format_name](report, stream)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


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
