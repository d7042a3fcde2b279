"""``report render | diff | merge``: report.json files rendered, compared and joined."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from conformance.report.render import DiffFormat, RenderFormat

if TYPE_CHECKING:
    from conformance.report.model import Report

report_app = typer.Typer(help="Render, compare and merge report.json files.", no_args_is_help=True)


def _read(path: str) -> Report:
    from conformance.report.json import ReportError, read_json

    try:
        return read_json(path)
    except ReportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@report_app.command()
def render(
    path: Annotated[str, typer.Argument(help="A report.json.")],
    format: Annotated[RenderFormat, typer.Option("--format", "-f", help="The output format.")] = "html",
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Render a report.json as HTML, Markdown, JUnit XML (or JSON again). Exit 2 for an unreadable report."""
    from pathlib import Path

    from conformance.report.render import WRITERS
    from conformance.run.launch import write_file

    report = _read(path)
    if output is None:
        WRITERS[format](report, sys.stdout)
        return
    try:
        write_file(report, format, Path(output))
    except OSError as exc:
        typer.echo(f"error: {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


@report_app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The earlier report.json.")],
    new: Annotated[str, typer.Argument(help="The later report.json.")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="The output format.")] = "md",
) -> None:
    """Compare two reports per check and cell. Exit 1 when a check that passed now fails, 2 for bad input."""
    from conformance.report.diff import diff_reports, write_json, write_markdown

    changes = diff_reports(_read(old), _read(new))
    (write_json if format == "json" else write_markdown)(changes, sys.stdout)
    raise typer.Exit(1 if changes.regressions else 0)


@report_app.command()
def merge(
    paths: Annotated[list[str], typer.Argument(help="Shard reports (report.json files).")],
    output: Annotated[str, typer.Option("--output", "-o", help="The merged report.json.")],
) -> None:
    """Join shard reports into one; refuses different tool versions and a cell in two reports (exit 2)."""
    from pathlib import Path

    from conformance.report.merge import MergeError, merge_reports
    from conformance.run.launch import write_file

    try:
        merged = merge_reports([_read(p) for p in paths])
        write_file(merged, "json", Path(output))
    except MergeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"error: {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"merged {len(paths)} report(s), {len(merged.cells)} cell(s): {output}")
