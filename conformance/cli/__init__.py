"""The command line: ``responses-conformance run | serve | mcp-server | report | validate | checks | selftest | cassettes``.

Each command calls one library function; each group of commands has its module here, and this one puts them
on one ``app`` (the console script's entry point is :func:`main`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from conformance.__about__ import __version__
from conformance.cli._contract import cassettes_app, checks, validate
from conformance.cli._report import report_app
from conformance.cli._run import run
from conformance.cli._selftest import selftest
from conformance.cli._serve import mcp_server, serve

__all__ = ["app", "main"]

app = typer.Typer(
    name="responses-conformance",
    help="Conformance suite and contract-testing toolkit for the Azure OpenAI / OpenAI Responses API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"responses-conformance {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Judge a Responses API server against the contract."""


app.command()(validate)
app.command()(checks)
app.command()(serve)
app.command(name="mcp-server")(mcp_server)
app.command()(run)
app.add_typer(cassettes_app, name="cassettes")
app.add_typer(report_app, name="report")
app.command()(selftest)


def main() -> None:
    """Console-script entry point."""
    app()
