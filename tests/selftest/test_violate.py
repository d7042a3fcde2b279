"""Violations switched on the reference server (``ServerConfig.violations``, ``serve --violate``)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.reference.server import start_server
from conformance.reference.violations import VIOLATIONS, violation


def _wrong_key_status(violations: tuple[str, ...]) -> int:
    handle = start_server(ServerConfig(api_key="right", violations=violations))
    try:
        answer = httpx.post(f"{handle.url}/v1/responses", json={"model": "o4-mini", "input": "hi"}, headers={"api-key": "wrong"})
    finally:
        handle.stop()
    return answer.status_code


def test_the_server_commits_the_configured_violation() -> None:
    assert _wrong_key_status(()) == 401
    assert _wrong_key_status(("wrong-key-403",)) == 403


def test_an_unknown_violation_is_refused_when_the_app_is_made() -> None:
    with pytest.raises(ValueError, match="unknown violation"):
        create_app(ServerConfig(violations=("no-such-bug",)))


def test_serve_refuses_an_unknown_violation_in_one_line() -> None:
    result = CliRunner().invoke(app, ["serve", "--violate", "wrong-key-403", "--violate", "no-such-bug", "--db", ":memory:"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["error: unknown violation(s): no-such-bug (see `responses-conformance selftest`)"]


def test_serve_refuses_violations_of_recorded_cassettes(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--from-cassettes", str(tmp_path), "--violate", "wrong-key-403"])
    assert result.exit_code == 2 and "no --violate, --vary or --proxy-to" in result.output


def test_a_violation_of_an_unknown_flavour_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown flavour"):
        violation("selftest-odd-flavour", "Never registered.", caught_by=("errors.auth.wrong_key",), flavor="bedrock")
    assert "selftest-odd-flavour" not in VIOLATIONS
