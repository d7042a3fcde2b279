"""The command line: ``responses-conformance run | serve | validate | checks``. Each command calls one library function."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import orjson
import typer

from conformance.__about__ import __version__

app = typer.Typer(
    name="responses-conformance",
    help="Conformance suite and contract-testing toolkit for the Azure OpenAI / OpenAI Responses API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Profile(str, Enum):
    openai = "openai"
    azure = "azure"
    open_responses = "open-responses"


class InputKind(str, Enum):
    auto = "auto"
    stream = "stream"
    request = "request"
    response = "response"
    event = "event"
    error = "error"
    deletion = "deletion"
    input_item_list = "input_item_list"
    file = "file"
    file_list = "file_list"
    file_deletion = "file_deletion"
    input_tokens = "input_tokens"
    compaction = "compaction"


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


@app.command()
def validate(
    paths: Annotated[list[str], typer.Argument(help="JSON files (an object or an array), SSE transcripts, folders, or - for stdin.")],
    profile: Annotated[Profile, typer.Option(help="The contract to judge against.", envvar="RC_PROFILE")] = Profile.openai,
    strict: Annotated[bool, typer.Option("--strict", help="Reject properties the profile does not declare.")] = False,
    kind: Annotated[InputKind, typer.Option(help="What the files hold; auto tells by content.")] = InputKind.auto,
    starting_after: Annotated[
        int | None, typer.Option(help="Judge streams as resumed after this sequence number.", min=-1)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON result per file (JSON Lines).")] = False,
) -> None:
    """Validate recorded payloads and SSE transcripts. Exit 0 all valid, 1 any invalid, 2 unreadable input."""
    from conformance.contract.validate import ContractValidator
    from conformance.validation import expand, validate_file

    validator = ContractValidator(profile.value, strict=strict)
    mode = "strict" if strict else "compat"
    code = 0
    files = list(expand(paths))
    if not files:
        typer.echo("error: no file to validate", err=True)
        raise typer.Exit(2)
    for path in files:
        result = validate_file(path, validator, kind.value, starting_after=starting_after)
        if result.error is not None:
            code = 2
        elif result.violations:
            code = max(code, 1)
        if as_json:
            sys.stdout.write(orjson.dumps(result.as_dict()).decode() + "\n")
            continue
        if result.error is not None:
            typer.echo(f"{path}: unreadable: {result.error}")
        elif result.valid:
            typer.echo(f"{path}: valid ({result.kind}, {result.objects} object(s), {profile.value} {mode})")
        else:
            typer.echo(f"{path}: INVALID ({result.kind}, {len(result.violations)} violation(s), {profile.value} {mode})")
            for violation in result.violations:
                typer.echo(f"  {violation}")
    raise typer.Exit(code)


@app.command()
def checks(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
) -> None:
    """List the rule catalogue: every rule with its stable ID, level and statement."""
    from conformance.contract.rules import all_rules

    rules = all_rules()
    if as_json:
        sys.stdout.write(orjson.dumps([r.as_dict() for r in rules], option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    width = max(len(r.id) for r in rules)
    for r in rules:
        typer.echo(f"{r.id:<{width}}  {r.level.value:<6}  {r.sentence}")
    typer.echo(f"{len(rules)} rules")


class Flavor(str, Enum):
    openai = "openai"
    azure = "azure"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.", envvar="RC_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.", envvar="RC_PORT")] = 0,
    flavor: Annotated[Flavor, typer.Option(help="Behave like OpenAI or like Azure OpenAI.", envvar="RC_FLAVOR")] = Flavor.openai,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="The key clients must send (random if not given).", envvar="RC_API_KEY")
    ] = None,
    db: Annotated[str, typer.Option(help="SQLite file for stored state, or :memory:.", envvar="RC_DB")] = "reference.sqlite3",
    think_time: Annotated[float, typer.Option(help="Seconds a background response takes.")] = 1.0,
    fault: Annotated[
        list[str] | None, typer.Option("--fault", help="A fault to inject, e.g. rate-limit=0.1 (repeatable).")
    ] = None,
) -> None:
    """Serve the reference implementation of the Responses API (the embedded default target)."""
    from conformance.reference.config import ServerConfig, new_api_key
    from conformance.reference.faults import parse_fault
    from conformance.reference.server import serve_forever

    try:
        faults = [parse_fault(spec) for spec in fault or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fault") from None
    key = api_key or new_api_key()
    config = ServerConfig(flavor=flavor.value, api_key=key, db=db, think_time=think_time, faults=faults)

    def announce(url: str) -> None:
        typer.echo(f"reference server ({flavor.value} flavour) listening on {url}")
        typer.echo(f"  OpenAI style: {url}/v1   Azure v1: {url}/openai/v1/?api-version=preview")
        typer.echo(f"  API key: {key}")
        typer.echo(f"  database: {db}")

    serve_forever(config, host, port, announce)


@app.command()
def run() -> None:
    """Run the conformance suite against a target (the embedded reference server by default)."""
    typer.echo(
        "responses-conformance run: the suite and the embedded reference server are not built yet.\n"
        "When they are, `run` with no target starts the reference server on a free loopback port, runs every\n"
        "check against it and writes reports/latest/report.json. Today the contract core is ready:\n"
        "  responses-conformance validate PATH...   validate recorded payloads and SSE transcripts\n"
        "  responses-conformance checks             list the rules they are judged by"
    )


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
