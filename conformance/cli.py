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


class ApiStyle(str, Enum):
    azure_v1 = "azure-v1"
    azure_deployments = "azure-deployments"
    openai = "openai"


class TierOption(str, Enum):
    smoke = "smoke"
    core = "core"
    full = "full"


class FailOnOption(str, Enum):
    must = "must"
    should = "should"
    never = "never"


@app.command()
def run(
    endpoint: Annotated[
        str | None, typer.Option(help="The target's endpoint (none: the embedded reference servers).",
                                 envvar=["AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL"])
    ] = None,
    api_style: Annotated[ApiStyle | None, typer.Option(help="URL style (default: from the endpoint).")] = None,
    model: Annotated[str | None, typer.Option(help="The model (on Azure, the deployment's model).")] = None,
    deployment: Annotated[str | None, typer.Option(help="The Azure deployment name (default: the model).")] = None,
    region: Annotated[str, typer.Option(help="The region, for the cell's identity.")] = "",
    api_version: Annotated[str | None, typer.Option(help="The api-version.", envvar="OPENAI_API_VERSION")] = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="API key.", envvar="AZURE_OPENAI_API_KEY", show_envvar=False)
    ] = None,
    entra: Annotated[bool, typer.Option("--entra", help="Authenticate with Entra ID (azure-identity).")] = False,
    bearer: Annotated[
        str | None, typer.Option("--bearer", help="Bearer token.", envvar="OPENAI_API_KEY", show_envvar=False)
    ] = None,
    config: Annotated[str | None, typer.Option(help="A matrix file (TOML) naming the cells.", envvar="RC_CONFIG")] = None,
    profile: Annotated[Profile | None, typer.Option(help="Judge against this profile (default: per cell).")] = None,
    tier: Annotated[TierOption, typer.Option(help="How much of the suite to run.", envvar="RC_TIER")] = TierOption.full,
    only: Annotated[list[str] | None, typer.Option("--only", help="Only checks whose ID matches this glob (repeatable).")] = None,
    out: Annotated[str, typer.Option(help="Folder for report.json.", envvar="RC_OUT")] = "reports/latest",
    fail_on: Annotated[FailOnOption, typer.Option(help="Exit 1 when a check at this level or above failed.")] = FailOnOption.must,
    jobs: Annotated[int, typer.Option(help="Cells run concurrently.", min=1, envvar="RC_JOBS")] = 4,
    max_requests: Annotated[int | None, typer.Option(help="Request budget of the run.", min=1)] = None,
    max_output_tokens: Annotated[int | None, typer.Option(help="Cap on max_output_tokens per request.", min=1)] = None,
    mcp_url: Annotated[str | None, typer.Option(help="A public MCP server URL the target can reach.", envvar="RC_MCP_URL")] = None,
    image_deployment: Annotated[
        str | None, typer.Option(help="The gpt-image-1 deployment for image generation (Azure).")
    ] = None,
) -> None:
    """Run the conformance suite against a target (the embedded reference server by default)."""
    from pathlib import Path

    from rich.console import Console

    from conformance.checks._check import Tier
    from conformance.launch import FailOn, RunOptions, exit_code, run_and_report
    from conformance.matrix import MatrixError
    from conformance.report.console import ProgressDisplay, print_summary

    if endpoint and not model and not config:
        typer.echo("error: --endpoint needs --model", err=True)
        raise typer.Exit(2)
    options = RunOptions(
        endpoint=None if config else endpoint, api_style=api_style.value if api_style else None, model=model,
        deployment=deployment, region=region, api_version=api_version, api_key=api_key, bearer=bearer,
        entra=entra, config=Path(config) if config else None, profile=profile.value if profile else None,
        tier=Tier(tier.value), only=only or [], out=Path(out), jobs=jobs, max_requests=max_requests,
        max_output_tokens=max_output_tokens, mcp_url=mcp_url, image_deployment=image_deployment,
        command=["responses-conformance", *sys.argv[1:]],
    )
    console = Console(stderr=True)
    try:
        with ProgressDisplay(console) as display:
            report, path = run_and_report(options, display)
    except MatrixError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:  # before the suite started: nothing to report
        typer.echo("interrupted", err=True)
        raise typer.Exit(130) from None
    print_summary(report, Console(), str(path))
    raise typer.Exit(exit_code(report, FailOn(fail_on.value)))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
