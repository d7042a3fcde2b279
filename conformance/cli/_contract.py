"""The contract's commands: ``validate`` files, list the rule ``checks``, ``cassettes verify`` recordings."""

from __future__ import annotations

import sys
from typing import Annotated

import orjson
import typer

from conformance.contract.validate import InputKind, Profile


def validate(
    paths: Annotated[list[str], typer.Argument(help="JSON files (an object or an array), SSE transcripts, folders, or - for stdin.")],
    profile: Annotated[Profile, typer.Option(help="The contract to judge against.", envvar="RC_PROFILE")] = "openai",
    strict: Annotated[bool, typer.Option("--strict", help="Reject properties the profile does not declare.")] = False,
    kind: Annotated[InputKind, typer.Option(help="What the files hold; auto tells by content.")] = "auto",
    starting_after: Annotated[
        int | None, typer.Option(help="Judge streams as resumed after this sequence number.", min=-1)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON result per file (JSON Lines).")] = False,
) -> None:
    """Validate recorded payloads and SSE transcripts. Exit 0 all valid, 1 any invalid, 2 unreadable input."""
    from conformance.contract.validate import ContractValidator
    from conformance.validation import expand, validate_file

    validator = ContractValidator(profile, strict=strict)
    mode = "strict" if strict else "compat"
    code = 0
    files = list(expand(paths))
    if not files:
        typer.echo("error: no file to validate", err=True)
        raise typer.Exit(2)
    for path in files:
        result = validate_file(path, validator, kind, starting_after=starting_after)
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
            typer.echo(f"{path}: valid ({result.kind}, {result.objects} object(s), {profile} {mode})")
        else:
            typer.echo(f"{path}: INVALID ({result.kind}, {len(result.violations)} violation(s), {profile} {mode})")
            for violation in result.violations:
                typer.echo(f"  {violation}")
    raise typer.Exit(code)


def checks(
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue as JSON.")] = False,
) -> None:
    """List the rule catalogue (each rule's stable ID, level and statement), then the retired checks."""
    from conformance.checks import retired_checks
    from conformance.contract.rules import all_rules

    rules, retired = all_rules(), list(retired_checks().values())
    if as_json:
        listed = [r.as_dict() for r in rules]
        listed += [{**c.as_dict(), "spec": c.source, "area": "retired"} for c in retired]
        sys.stdout.write(orjson.dumps(listed, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    width = max(len(r.id) for r in rules)
    for r in rules:
        typer.echo(f"{r.id:<{width}}  {r.level.value:<6}  {r.sentence}")
    typer.echo(f"{len(rules)} rules")
    for c in retired:
        typer.echo(f"retired check {c.id} (since {c.since}, retired in {c.retired}, never reused): "
                   f"{c.reason}")


cassettes_app = typer.Typer(help="Recorded traffic: re-validate cassettes.", no_args_is_help=True)


@cassettes_app.command("verify")
def cassettes_verify(
    folder: Annotated[str, typer.Argument(help="A cassette file or a folder of them.")] = "cassettes",
    profile: Annotated[
        Profile | None, typer.Option(help="Judge against this profile (default: azure for Azure URLs, else openai).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Reject properties the profile does not declare.")] = False,
) -> None:
    """Re-validate recorded payloads and streams. Exit 0 all conform, 1 contract drift, 2 unusable cassettes."""
    from pathlib import Path

    from conformance.cassettes.verify import cassette_files, verify_cassette

    files = list(cassette_files(Path(folder))) if Path(folder).exists() else []
    if not files:
        typer.echo(f"error: {folder}: no cassette", err=True)
        raise typer.Exit(2)
    code = 0
    for path in files:
        verdict = verify_cassette(path, profile, strict)
        if verdict.error is not None:
            typer.echo(f"error: {verdict.error}", err=True)
            code = 2
        elif verdict.problems:
            typer.echo(f"{path}: DRIFT ({len(verdict.problems)} violation(s) in {verdict.interactions} interaction(s))")
            for problem in verdict.problems:
                typer.echo(f"  {problem}")
            code = max(code, 1)
        else:
            typer.echo(f"{path}: conforms ({verdict.interactions} interaction(s))")
    raise typer.Exit(code)
