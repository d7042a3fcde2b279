"""Fixtures of the report tests: a real run against two reference servers, one committing a violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from reportkit import KEY, ONLY

from conformance.matrix import Cell, Credential
from conformance.reference._uvicorn import serve_in_thread
from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.reference.violations import ViolatingMiddleware
from conformance.report.model import Report
from conformance.run.embedded import REFERENCE_CAPABILITIES, REFERENCE_MODEL
from conformance.run.runner import run_suite


def _cell(region: str, flavor: str, url: str) -> Cell:
    style = "azure-v1" if flavor == "azure" else "openai"
    return Cell(
        provider="reference", region=region, deployment=REFERENCE_MODEL, model=REFERENCE_MODEL, model_version="",
        api_style=style, api_version="preview" if flavor == "azure" else "",
        endpoint=url if flavor == "azure" else f"{url}/v1", profile=flavor, capabilities=REFERENCE_CAPABILITIES,
        credential=Credential("api-key" if flavor == "azure" else "bearer", KEY, "REPORT_TEST_KEY"),
    )


@pytest.fixture(scope="session")
def sample_report() -> Iterator[Report]:
    """A run of three checks in two cells: swedencentral (faithful, Azure) and eastus (drops a text delta)."""
    running = []
    cells = []
    for region, flavor, violations in (("swedencentral", "azure", []), ("eastus", "openai", ["stream-last-text-delta-dropped"])):
        app = ViolatingMiddleware(create_app(ServerConfig(flavor=flavor, api_key=KEY)), violations)  # type: ignore[arg-type]
        url, server, thread = serve_in_thread(app, "127.0.0.1", 0, "reference server")
        running.append((server, thread))
        cells.append(_cell(region, flavor, url))
    yield run_suite(cells, only=ONLY, jobs=2, command=["responses-conformance", "run", "--api-key", KEY])
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=10)
