"""``run``: the suite against a target, its options built from the table of run options."""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Any

import typer

from conformance.run.options import OPTIONS, OptionError, RunOption, options_from


def run(**values: Any) -> None:
    """Run the conformance suite against a target (the embedded reference server by default)."""
    from rich.console import Console

    from conformance.matrix import MatrixError
    from conformance.report.console import ProgressDisplay, print_summary
    from conformance.run.launch import exit_code, preflight_failures, run_and_report
    from conformance.run.runner import CheckLoadError

    try:
        options = options_from(values, command=["responses-conformance", *sys.argv[1:]])
        options.validate()
    except OptionError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    problems: list[str] = []
    console = Console(stderr=True)
    try:
        with ProgressDisplay(console) as display:
            report, path = run_and_report(options, display, problems)
    except (MatrixError, CheckLoadError, OptionError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:  # before the suite started: nothing to report
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None
    print_summary(report, Console(), str(path))
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    unjudged = preflight_failures(report)
    for cell, reason in unjudged.items():
        typer.echo(f"error: cell {cell}: {reason}", err=True)
    no_cell_ran = bool(report.cells) and len(unjudged) == len(report.cells)
    raise typer.Exit(2 if problems or no_cell_ran else exit_code(report, options.fail_on))


def _parameter(row: RunOption) -> inspect.Parameter:
    """The typer parameter of one run option (a repeatable one is None when not given)."""
    spec = row.spec
    info = typer.Option(
        row.flag, help=spec.help, envvar=list(spec.env) or None, show_envvar=not spec.secret, min=spec.min,
    )
    annotation = (list[str] | None) if row.many else row.type
    default = None if row.many else row.default
    return inspect.Parameter(row.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[annotation, info])


_SIGNATURE = inspect.Signature([_parameter(row) for row in OPTIONS], return_annotation=None)
run.__signature__ = _SIGNATURE  # type: ignore[attr-defined]  # typer reads the options from it
