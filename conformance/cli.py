"""The command line: ``responses-conformance run | serve | report | validate | checks | selftest``. Each command calls one library function."""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import orjson
import typer

from conformance.__about__ import __version__
from conformance._cli_servers import selftest, serve

if TYPE_CHECKING:
    from conformance.report.model import Report

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
    """List the rule catalogue (each rule's stable ID, level and statement), then the retired checks."""
    from conformance.checks._retired import retired_checks
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


app.command()(serve)


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


class RunMode(str, Enum):
    live = "live"
    record = "record"
    replay = "replay"


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
    out: Annotated[
        str, typer.Option(help="Folder for report.json, report.html, report.md and junit.xml.", envvar="RC_OUT")
    ] = "reports/latest",
    fail_on: Annotated[FailOnOption, typer.Option(help="Exit 1 when a check at this level or above failed.")] = FailOnOption.must,
    jobs: Annotated[int, typer.Option(help="Cells run concurrently.", min=1, envvar="RC_JOBS")] = 4,
    concurrency: Annotated[
        int | None, typer.Option(help="Checks run concurrently in each cell (default: the matrix file's "
                                      "`concurrency`, else 8).", min=1, envvar="RC_CONCURRENCY")
    ] = None,
    max_requests: Annotated[int | None, typer.Option(help="Request budget of the run.", min=1)] = None,
    max_output_tokens: Annotated[int | None, typer.Option(help="Cap on max_output_tokens per request.", min=1)] = None,
    mcp_url: Annotated[str | None, typer.Option(help="A public MCP server URL the target can reach.", envvar="RC_MCP_URL")] = None,
    image_deployment: Annotated[
        str | None, typer.Option(help="The gpt-image-1 deployment for image generation (Azure).")
    ] = None,
    shard: Annotated[
        str | None, typer.Option(help="Run only slice I of N of the cells (I/N), e.g. 2/4; join with `report merge`.")
    ] = None,
    sdk: Annotated[str | None, typer.Option(help="The SDK under test (name and version), for the report.")] = None,
    gateway: Annotated[str | None, typer.Option(help="The gateway under test (name and version), for the report.")] = None,
    mode: Annotated[RunMode, typer.Option(help="live; record (live, into cassettes); replay (from cassettes, offline).",
                                          envvar="RC_MODE")] = RunMode.live,
    cassettes: Annotated[
        str | None, typer.Option(help="The cassette folder of record and replay (default: cassettes/; the shipped "
                                      "ones when replaying the embedded cells).", envvar="RC_CASSETTES")
    ] = None,
) -> None:
    """Run the conformance suite against a target (the embedded reference server by default)."""
    from pathlib import Path

    from rich.console import Console

    from conformance.checks._check import Tier
    from conformance.matrix import MatrixError
    from conformance.report.console import ProgressDisplay, print_summary
    from conformance.run.launch import FailOn, RunOptions, exit_code, parse_shard, run_and_report

    if endpoint and not model and not config:
        typer.echo("error: --endpoint needs --model", err=True)
        raise typer.Exit(2)
    try:
        slice_ = parse_shard(shard) if shard else None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    under_test = {k: v for k, v in (("sdk", sdk), ("gateway", gateway)) if v}
    options = RunOptions(
        endpoint=None if config else endpoint, api_style=api_style.value if api_style else None, model=model,
        deployment=deployment, region=region, api_version=api_version, api_key=api_key, bearer=bearer,
        entra=entra, config=Path(config) if config else None, profile=profile.value if profile else None,
        tier=Tier(tier.value), only=only or [], out=Path(out), jobs=jobs, concurrency=concurrency,
        max_requests=max_requests,
        max_output_tokens=max_output_tokens, mcp_url=mcp_url, image_deployment=image_deployment,
        command=["responses-conformance", *sys.argv[1:]], shard=slice_, under_test=under_test,
        mode=mode.value, cassettes=Path(cassettes) if cassettes else None,
    )
    problems: list[str] = []
    console = Console(stderr=True)
    try:
        with ProgressDisplay(console) as display:
            report, path = run_and_report(options, display, problems)
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
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    raise typer.Exit(2 if problems else exit_code(report, FailOn(fail_on.value)))


cassettes_app = typer.Typer(help="Recorded traffic: re-validate cassettes.", no_args_is_help=True)
app.add_typer(cassettes_app, name="cassettes")


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
        verdict = verify_cassette(path, profile.value if profile else None, strict)
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


report_app = typer.Typer(help="Render, compare and merge report.json files.", no_args_is_help=True)
app.add_typer(report_app, name="report")


class RenderFormat(str, Enum):
    html = "html"
    md = "md"
    junit = "junit"
    json = "json"


class DiffFormat(str, Enum):
    md = "md"
    json = "json"


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
    format: Annotated[RenderFormat, typer.Option("--format", "-f", help="The output format.")] = RenderFormat.html,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Render a report.json as HTML, Markdown, JUnit XML (or JSON again). Exit 2 for an unreadable report."""
    from pathlib import Path

    from conformance.report.render import WRITERS
    from conformance.run.launch import write_file

    report = _read(path)
    if output is None:
        WRITERS[format.value](report, sys.stdout)
        return
    try:
        write_file(report, format.value, Path(output))
    except OSError as exc:
        typer.echo(f"error: {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None


@report_app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The earlier report.json.")],
    new: Annotated[str, typer.Argument(help="The later report.json.")],
    format: Annotated[DiffFormat, typer.Option("--format", "-f", help="The output format.")] = DiffFormat.md,
) -> None:
    """Compare two reports per check and cell. Exit 1 when a check that passed now fails, 2 for bad input."""
    from conformance.report.diff import diff_reports, write_json, write_markdown

    changes = diff_reports(_read(old), _read(new))
    (write_json if format is DiffFormat.json else write_markdown)(changes, sys.stdout)
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


app.command()(selftest)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
