"""``serve``: the reference server (the embedded default target), a proxy committing violations or showing
legal variations, or recorded cassettes."""

from __future__ import annotations

from typing import Annotated

import typer

from conformance.reference.config import Flavor


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.", envvar="RC_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.", envvar="RC_PORT")] = 0,
    flavor: Annotated[
        Flavor, typer.Option(help="Behave like OpenAI or like Azure OpenAI.", envvar="RC_FLAVOR")
    ] = "openai",
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", help="The key clients must send (random if not given).", envvar="RC_API_KEY"
        ),
    ] = None,
    db: Annotated[
        str, typer.Option(help="SQLite file for stored state, or :memory:.", envvar="RC_DB")
    ] = "reference.sqlite3",
    think_time: Annotated[float, typer.Option(help="Seconds a background response takes.")] = 1.0,
    fault: Annotated[
        list[str] | None, typer.Option("--fault", help="A fault to inject, e.g. rate-limit=0.1 (repeatable).")
    ] = None,
    from_cassettes: Annotated[
        str | None, typer.Option("--from-cassettes", help="Answer from the cassettes in this folder instead.")
    ] = None,
    violate: Annotated[
        list[str] | None,
        typer.Option("--violate", help="A contract violation to commit (repeatable; see selftest)."),
    ] = None,
    vary: Annotated[
        list[str] | None, typer.Option("--vary", help="A legal variation to show (repeatable; see selftest).")
    ] = None,
    proxy_to: Annotated[
        str | None,
        typer.Option(
            "--proxy-to",
            help="Forward to this server (base URL) instead, committing --violate, showing --vary.",
        ),
    ] = None,
) -> None:
    """Serve the reference implementation of the Responses API (the embedded default target), or cassettes."""
    from conformance.reference.variations import unknown_variations
    from conformance.reference.violations import unknown_violations

    for kind, unknown in (
        ("violation", unknown_violations(violate or [])),
        ("legal variation", unknown_variations(vary or [])),
    ):
        if unknown:
            typer.echo(
                f"error: unknown {kind}(s): {', '.join(unknown)} (see `responses-conformance selftest`)",
                err=True,
            )
            raise typer.Exit(2)
    if from_cassettes is not None and (violate or vary or proxy_to):
        typer.echo(
            "error: --from-cassettes serves recordings as they are: no --violate, --vary or --proxy-to",
            err=True,
        )
        raise typer.Exit(2)
    if from_cassettes is not None:
        _serve_cassettes(from_cassettes, host, port)
        return
    if proxy_to is not None:
        _serve_proxy(proxy_to, violate or [], vary or [], host, port)
        return
    from conformance.reference.config import ServerConfig, new_api_key
    from conformance.reference.faults import parse_fault
    from conformance.reference.server import serve_forever

    try:
        faults = [parse_fault(spec) for spec in fault or []]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--fault") from None
    key = api_key or new_api_key()
    config = ServerConfig(
        flavor=flavor,
        api_key=key,
        db=db,
        think_time=think_time,
        faults=faults,
        violations=tuple(violate or ()),
        variations=tuple(vary or ()),
    )

    def announce(url: str) -> None:
        typer.echo(f"reference server ({flavor} flavour) listening on {url}")
        typer.echo(f"  OpenAI style: {url}/v1   Azure v1: {url}/openai/v1/?api-version=preview")
        typer.echo(f"  API key: {key}")
        typer.echo(f"  database: {db}")
        if violate:
            typer.echo(f"  committing: {', '.join(violate)}")
        if vary:
            typer.echo(f"  showing: {', '.join(vary)}")

    serve_forever(config, host, port, announce)


def _serve_proxy(upstream: str, violations: list[str], variations: list[str], host: str, port: int) -> None:
    import httpx

    from conformance.reference.violations.proxy import proxy_app, serve_proxy

    try:
        url: httpx.URL | None = httpx.URL(upstream)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        typer.echo(f"error: --proxy-to {upstream}: not an http(s) URL", err=True)
        raise typer.Exit(2)

    def announce(base: str) -> None:
        shown = f" showing {', '.join(variations)}" if variations else ""
        typer.echo(
            f"proxy to {upstream} committing {', '.join(violations) or 'no violation'}{shown} "
            f"listening on {base}"
        )

    serve_proxy(proxy_app(upstream, violations, variations), host, port, announce)


def _serve_cassettes(folder: str, host: str, port: int) -> None:
    from pathlib import Path

    from conformance.cassettes.serve import Recordings, serve_cassettes

    if not Path(folder).is_dir():
        typer.echo(f"error: {folder}: not a folder of cassettes", err=True)
        raise typer.Exit(2)
    recordings = Recordings(Path(folder))
    for error in recordings.errors:
        typer.echo(f"error: {error}", err=True)
    if recordings.errors:
        raise typer.Exit(2)

    def announce(url: str) -> None:
        typer.echo(f"serving {recordings.count} recorded interaction(s) from {folder} on {url}")

    serve_cassettes(recordings, host, port, announce)


def mcp_server(
    host: Annotated[str, typer.Option(help="Interface to listen on.", envvar="RC_MCP_HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.", envvar="RC_MCP_PORT")] = 0,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The URL the target reaches this server's /mcp at (a tunnel's), for the printed run line.",
        ),
    ] = None,
    log_token: Annotated[
        str | None,
        typer.Option("--log-token", help="The secret guarding the log (random if not given).", envvar="RC_MCP_LOG_TOKEN"),
    ] = None,
) -> None:
    """Serve the suite's MCP server (tools echo and add) for an external target, with its call log.

    The target reaches it at the URL printed (a gateway on this machine) or at --public-url (a tunnel to this machine, for a remote target). Every tools/call is logged (tool, arguments, headers, output); the log is served beside /mcp at /conformance-log to requests bearing the log token.

    Give run `--mcp-url URL --mcp-log-token TOKEN` (the line printed at start): the MCP checks then verify every mcp_call the target reports against the calls this server really got.
    """
    from conformance.reference.mcp_server import LOG_PATH, new_log_token, serve_mcp_forever

    if public_url is not None and not public_url.startswith(("http://", "https://")):
        typer.echo(f"error: --public-url {public_url}: not an http(s) URL", err=True)
        raise typer.Exit(2)
    token = log_token or new_log_token()

    def announce(url: str) -> None:
        typer.echo(f"MCP server (tools echo, add) listening on {url}")
        typer.echo(f"  log: {url.removesuffix('/mcp')}{LOG_PATH} (GET with Authorization: Bearer <log token>)")
        typer.echo(f"  log token: {token}")
        typer.echo(f"  run with: --mcp-url {public_url or url} --mcp-log-token {token}")

    serve_mcp_forever(host, port, token, announce)
