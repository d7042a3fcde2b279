"""``selftest``: the suite against each contract violation of the reference server."""

from __future__ import annotations

from typing import Annotated

import typer


def selftest(
    only: Annotated[list[str] | None, typer.Option("--only", help="Only this violation (repeatable; default: all).")] = None,
    out: Annotated[str, typer.Option(help="Folder for selftest.json and selftest.md.")] = "reports/selftest",
    jobs: Annotated[int, typer.Option(help="Reference servers judged concurrently.", min=1, envvar="RC_JOBS")] = 4,
) -> None:
    """Prove the suite catches each contract violation of the reference server and passes the faithful one."""
    from pathlib import Path

    from rich.console import Console

    from conformance.reference.violations import unknown_violations
    from conformance.selftest import MutantResult, print_table, run_selftest, write_selftest

    unknown = unknown_violations(only or [])
    if unknown:
        typer.echo(f"error: unknown violation(s): {', '.join(unknown)}", err=True)
        raise typer.Exit(2)
    done: list[str] = []

    def progress(mutant: MutantResult) -> None:
        done.append(mutant.name)
        typer.echo(f"[{len(done)}] {mutant.name}: {'caught' if mutant.caught else 'SURVIVED'}", err=True)

    result = run_selftest(only or [], jobs=jobs, progress=progress)
    print_table(result, Console())
    try:
        paths = write_selftest(result, Path(out))
    except OSError as exc:
        typer.echo(f"error: {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {', '.join(map(str, paths))}")
    raise typer.Exit(0 if result.ok else 1)
