"""The embedded default target: two reference servers (Azure and OpenAI flavour) and a local MCP server.

The reference servers run in child processes (their own interpreters: the suite's checks and the servers do
not share a GIL), the MCP server in-process (the MCP checks read its log of calls and headers); all on free loopback
ports. ``embedded_targets()`` yields the two cells and stops the servers.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from conformance.cassettes import MCP_PLACEHOLDER, RESOURCE_PLACEHOLDER
from conformance.matrix import Cell, Credential
from conformance.reference.config import Flavor, ServerConfig, new_api_key
from conformance.reference.mcp_server import CallLog, start_mcp_server
from conformance.reference.model import is_reasoning_model
from conformance.reference.server import start_server_processes

# What the reference server implements (conformance/reference/): everything but the hosted tools
# it does not have (web search, code interpreter, file search) and computer use.
REFERENCE_CAPABILITIES = frozenset(
    {
        "text", "streaming", "background", "store", "function_calling", "structured_output", "vision",
        "pdf_input", "file_upload", "reasoning", "encrypted_reasoning", "image_generation", "mcp",
    }
)
# The reference model answers as a reasoning model for o-series names: one name covers every check.
_PLAIN = REFERENCE_CAPABILITIES - {"reasoning", "encrypted_reasoning"}
REFERENCE_MODEL = "o4-mini"


@dataclass(frozen=True)
class EmbeddedRun:
    """The running embedded targets: the cells to judge and the local MCP server's log."""

    cells: list[Cell]
    mcp_url: str
    mcp_seen: CallLog


@contextmanager
def embedded_targets(model: str = REFERENCE_MODEL, think_time: float = 0.5) -> Iterator[EmbeddedRun]:
    """Start the reference servers and the MCP server on free loopback ports; stop them on exit."""
    with ExitStack() as stack:
        stack.enter_context(quiet_logger("asyncio"))  # a client that stops reading a stream is no news here
        token = "mcp-" + secrets.token_urlsafe(18)
        mcp = start_mcp_server(require_header=("Authorization", f"Bearer {token}"))
        stack.callback(mcp.stop)
        flavors: tuple[Flavor, ...] = ("azure", "openai")
        configs = [ServerConfig(flavor=flavor, api_key=new_api_key(), think_time=think_time) for flavor in flavors]
        servers = start_server_processes(configs)  # started together, stopped together
        for server in servers:
            stack.callback(server.stop)
        for server in servers:
            stack.callback(server.stop, wait=False)
        cells = [reference_cell(s.config.flavor, s.url, s.config.api_key, mcp.url, token, model) for s in servers]
        yield EmbeddedRun(cells, mcp.url, mcp.log)


def reference_cell(flavor: str, url: str, key: str, mcp_url: str, mcp_token: str, model: str = REFERENCE_MODEL) -> Cell:
    """The cell of a reference server of ``flavor`` at ``url`` (Azure v1 style for azure, OpenAI style otherwise)."""
    style = "azure-v1" if flavor == "azure" else "openai"
    return Cell(
        provider="reference",
        region="local",
        deployment=model,
        model=model,
        model_version="",
        api_style=style,
        api_version="preview" if style == "azure-v1" else "",
        endpoint=url if style == "azure-v1" else f"{url}/v1",
        profile=flavor,
        capabilities=REFERENCE_CAPABILITIES if is_reasoning_model(model) else _PLAIN,
        credential=Credential("bearer" if style == "openai" else "api-key", key, "generated"),
        mcp_url=mcp_url,
        mcp_headers={"Authorization": f"Bearer {mcp_token}"},
        image_deployment="gpt-image-1" if flavor == "azure" else None,
    )


def reference_replay_cells() -> list[Cell]:
    """The embedded reference cells as replay sees them: no server, placeholder hosts, a dummy key."""
    return [
        reference_cell(flavor, RESOURCE_PLACEHOLDER, "replay-key", f"{MCP_PLACEHOLDER}/mcp", "replay-token")
        for flavor in ("azure", "openai")
    ]


@contextmanager
def quiet_logger(logger: str) -> Iterator[None]:
    """Only errors from ``logger`` while the embedded servers run."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)
