"""Helpers for the cassette tests: a socket guard, record and replay runs, verdicts by check."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from conformance.cassettes import CassetteSession
from conformance.client import Secrets
from conformance.matrix import Cell
from conformance.report.model import Report
from conformance.run.runner import run_suite


def block_sockets(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every outgoing connection attempt raise; the returned list collects the addresses tried."""
    attempts: list[Any] = []

    def refuse(self: Any, address: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(address)
        raise OSError(f"test: no connection allowed ({address!r})")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def run_with_cassettes(
    mode: str, root: Path, cells: Sequence[Cell], only: Sequence[str] = (), jobs: int = 2, **kwargs: Any
) -> tuple[Report, list[str]]:
    """Run the suite in ``mode`` (record or replay) on the cassettes under ``root``; the report and the errors."""
    moded = [dataclasses.replace(cell, mode=mode) for cell in cells]
    secrets = Secrets([s for cell in moded for s in cell.secrets()])
    session = CassetteSession(root, moded, secrets)
    report = run_suite(
        moded, only=list(only), jobs=jobs, secrets=secrets, transport_factory=session.transport,
        check_scope=session.scope, **kwargs,
    )
    return report, session.errors


def verdicts(report: Report) -> list[dict[str, str]]:
    """Per cell (in order), each check's verdict."""
    return [{r.check: r.verdict.value for r in cell.results} for cell in report.cells]
