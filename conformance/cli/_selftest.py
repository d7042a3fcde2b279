"""``selftest``: the suite against each contract violation of the reference server (each must be caught)
and each legal variation (each must leave every verdict of the faithful server unchanged)."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

Catalogue = Literal["both", "violations", "variations"]


def selftest(
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Only this violation or legal variation (repeatable; default: all)."),
    ] = None,
    catalogue: Annotated[
        Catalogue, typer.Option(help="Which catalogue to judge when no --only is given.")
    ] = "both",
    sweep: Annotated[
        bool,
        typer.Option(
            "--sweep", help="Judge each legal variation on every check, not only the checks it can affect."
        ),
    ] = False,
    out: Annotated[str, typer.Option(help="Folder for selftest.json and selftest.md.")] = "reports/selftest",
    jobs: Annotated[
        int, typer.Option(help="Reference servers judged concurrently.", min=1, envvar="RC_JOBS")
    ] = 4,
) -> None:
    """Prove the suite catches each violation and judges each legal variation as the faithful server."""
    from pathlib import Path

    from rich.console import Console

    from conformance.reference.variations import unknown_variations
    from conformance.reference.violations import unknown_violations
    from conformance.selftest import MutantResult, VariationResult, print_table, run_selftest, write_selftest

    unknown = [n for n in unknown_violations(only or []) if n in unknown_variations(only or [])]
    if unknown:
        typer.echo(f"error: unknown violation(s) or legal variation(s): {', '.join(unknown)}", err=True)
        raise typer.Exit(2)
    done: list[str] = []

    def progress(result: MutantResult | VariationResult) -> None:
        done.append(result.name)
        if isinstance(result, MutantResult):
            word = "caught" if result.caught else "SURVIVED"
        else:
            word = "passed" if result.passed else "CHANGED A VERDICT"
        typer.echo(f"[{len(done)}] {result.name}: {word}", err=True)

    result = run_selftest(only or [], jobs=jobs, progress=progress, catalogue=catalogue, sweep=sweep)
    print_table(result, Console())
    try:
        paths = write_selftest(result, Path(out))
    except OSError as exc:
        typer.echo(f"error: {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {', '.join(map(str, paths))}")
    raise typer.Exit(0 if result.ok else 1)
