"""Run checks against reference servers on loopback: faithful, or wrapped in ViolatingMiddleware.

``verdicts(only, violations=[], flavor="openai")`` runs the checks matching the ``only`` globs against a
reference server of that flavour committing ``violations``; it returns ``{check_id: CheckResult}``.
Servers are started on first use per (flavour, violations) and stopped at the end of the session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn

from conformance.matrix import Cell, Credential
from conformance.reference._uvicorn import serve_in_thread
from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.reference.mcp_server import McpServerHandle, start_mcp_server
from conformance.reference.model import is_reasoning_model
from conformance.reference.violations import ViolatingMiddleware
from conformance.report.model import CheckResult
from conformance.run.embedded import REFERENCE_CAPABILITIES, REFERENCE_MODEL
from conformance.run.runner import run_suite

KEY = "checks-test-key"
MCP_TOKEN = "Bearer checks-mcp-token"
IMAGE_DEPLOYMENT = "gpt-image-1"
PLAIN_CAPABILITIES = REFERENCE_CAPABILITIES - {"reasoning", "encrypted_reasoning"}  # a non-reasoning deployment

Verdicts = Callable[..., dict[str, CheckResult]]
CellFor = Callable[..., Cell]


@pytest.fixture(scope="session")
def mcp_server() -> Iterator[McpServerHandle]:
    """A local MCP server (tools echo and add) that requires the run's Authorization header."""
    handle = start_mcp_server(require_header=("Authorization", MCP_TOKEN))
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def reference_cells(mcp_server: McpServerHandle) -> Iterator[CellFor]:
    """``reference_cells(flavor, violations=(), model=REFERENCE_MODEL)``: a cell of a server committing ``violations``."""
    running: dict[tuple[str, tuple[str, ...], str], Cell] = {}
    serving: list[tuple[uvicorn.Server, threading.Thread]] = []

    def cell_for(flavor: str = "openai", violations: tuple[str, ...] | list[str] = (), model: str = REFERENCE_MODEL) -> Cell:
        key = (flavor, tuple(sorted(violations)), model)
        if key not in running:
            config = ServerConfig(flavor=flavor, api_key=KEY, think_time=0.25, keepalive_interval=0.05)  # type: ignore[arg-type]
            app: Any = create_app(config)
            if violations:
                app = ViolatingMiddleware(app, list(key[1]))
            url, server, thread = serve_in_thread(app, "127.0.0.1", 0, "reference server")
            serving.append((server, thread))
            azure = flavor == "azure"
            running[key] = Cell(
                provider="reference", region="local", deployment=model, model=model,
                model_version="", api_style="azure-v1" if azure else "openai",
                api_version="preview" if azure else "", endpoint=url if azure else f"{url}/v1",
                profile=flavor, credential=Credential("api-key", KEY, "test"),
                capabilities=REFERENCE_CAPABILITIES if is_reasoning_model(model) else PLAIN_CAPABILITIES,
                mcp_url=mcp_server.url, mcp_headers={"Authorization": MCP_TOKEN},
                image_deployment=IMAGE_DEPLOYMENT if azure else None,
            )
        return running[key]

    yield cell_for
    for server, _ in serving:  # all servers stop together, then each is waited for
        server.should_exit = True
    for _, thread in serving:
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def verdicts(reference_cells: CellFor, mcp_server: McpServerHandle) -> Verdicts:
    """``verdicts(only, violations=[], flavor="openai", model=REFERENCE_MODEL)``: ``{check_id: CheckResult}`` of one cell."""

    def run(only: list[str], violations: list[str] | tuple[str, ...] = (), flavor: str = "openai",
            model: str = REFERENCE_MODEL) -> dict[str, CheckResult]:
        cell = reference_cells(flavor, tuple(violations), model)
        report = run_suite([cell], only=only, jobs=1, mcp_seen={mcp_server.url: mcp_server.log})
        assert not report.cleanup_failures, report.cleanup_failures
        return {result.check: result for result in report.cells[0].results}

    return run

