"""What a check body gets, by parameter name: ``cell``, ``client``, ``judge``, ``mcp``.

Shared by the runner and the pytest plugin, so a check behaves the same under both.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.checks import CheckInfo, HarnessError, Judge, McpLog, McpServer, Skipped, registry
from conformance.client import (
    ApiKeyAuth,
    BearerAuth,
    Budget,
    CleanupRegistry,
    EntraAuth,
    Evidence,
    ResponsesClient,
    Secrets,
    Target,
)
from conformance.contract.violations import Finding, Violation
from conformance.matrix import Cell
from conformance.report.model import Verdict
from conformance.run.outcome import Outcome

TransportFactory = Callable[[Cell], httpx.BaseTransport]
CheckScope = Callable[[Cell, str], AbstractContextManager[None]]
FIXTURES = ("cell", "client", "judge", "mcp")
IMAGE_DEPLOYMENT_HEADER = "x-ms-oai-image-generation-deployment"


@dataclass
class RunResources:
    """What every check of a run shares: budget, secrets, transports, the suite's MCP server logs by URL; a
    cleanup registry per cell."""

    budget: Budget | None = None
    secrets: Secrets = field(default_factory=Secrets)
    transport_factory: TransportFactory | None = None
    check_scope: CheckScope | None = None
    mcp_seen: dict[str, McpLog] = field(default_factory=dict)
    _clients: dict[str, ResponsesClient] = field(default_factory=dict)
    _cleanups: dict[str, CleanupRegistry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cleanup(self, cell: Cell | None = None, workers: int = 1) -> list[str]:
        """Delete or cancel what the run created (in one cell, or in all), ``workers`` requests at a time; one
        line per object left behind."""
        with self._lock:
            if cell is None:
                registries = list(self._cleanups.values())
            else:
                registries = [self._cleanups[cell.id]] if cell.id in self._cleanups else []
        return [self.secrets.scrub(line) for registry in registries for line in registry.run(workers)]

    def scope(self, cell: Cell, check_id: str) -> AbstractContextManager[None]:
        """What wraps one check's body (e.g. its cassette); nothing by default."""
        return self.check_scope(cell, check_id) if self.check_scope else nullcontext()

    def client(self, cell: Cell) -> ResponsesClient:
        """The cell's base client: one connection pool and one auth (Entra tokens cached) per cell."""
        with self._lock:
            if cell.id not in self._clients:
                self._clients[cell.id] = self._new_client(cell)
            return self._clients[cell.id]

    def _new_client(self, cell: Cell) -> ResponsesClient:
        extra = {IMAGE_DEPLOYMENT_HEADER: cell.image_deployment} if cell.image_deployment else {}
        target = Target(
            endpoint=cell.endpoint, api_style=cell.api_style,  # type: ignore[arg-type]
            api_version=cell.api_version or None, model=cell.deployment, auth=_auth(cell, self.secrets),
            extra_headers=extra,
        )
        transport = self.transport_factory(cell) if self.transport_factory else None
        cleanup = self._cleanups.setdefault(cell.id, CleanupRegistry())
        return ResponsesClient(target, transport=transport, budget=self.budget, cleanup=cleanup, secrets=self.secrets)

    def close(self) -> None:
        """Close every cell's connections (after the cleanup ran)."""
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


class CheckContext:
    """The fixtures of one check in one cell, built on demand; ``close()`` releases the client."""

    def __init__(self, cell: Cell, resources: RunResources, info: CheckInfo | None = None) -> None:
        self.cell = cell
        self.info = info
        self.resources = resources
        self._client: ResponsesClient | None = None
        self._judge: Judge | None = None
        self._mcp: McpServer | None = None
        self._evidence = Evidence(resources.secrets)

    def client(self) -> ResponsesClient:
        """A client for the cell logging into this check's fresh Evidence (shared budget, secrets; the cell's cleanup)."""
        if self._client is None:
            self._client = self.resources.client(self.cell).bind(self._evidence)
        return self._client

    def judge(self) -> Judge:
        """A fresh Judge for the cell's profile, failing the check only on the rules it owns."""
        if self._judge is None:
            info = self.info
            self._judge = Judge.for_check(self.cell.profile, info, registry()) if info else Judge(self.cell.profile)
        return self._judge

    def mcp(self) -> McpServer:
        """The MCP server the target can reach (raises Skipped when the run was given none)."""
        if not self.cell.mcp_url:
            raise Skipped("no public MCP server URL (--mcp-url)")
        if self._mcp is None:
            url = self.cell.mcp_url
            log = self.resources.mcp_seen.get(url) if self.cell.mode != "replay" else None  # replay calls nothing
            self._mcp = McpServer(url, dict(self.cell.mcp_headers), log)
        return self._mcp

    def arguments(self, function: Callable[..., Any]) -> dict[str, Any]:
        """The check's parameters resolved by name from ``cell``, ``client``, ``judge``, ``mcp``."""
        makers: dict[str, Callable[[], Any]] = {
            "cell": lambda: self.cell, "client": self.client, "judge": self.judge, "mcp": self.mcp,
        }
        arguments = {}
        for name in inspect.signature(function).parameters:
            if name not in makers:
                raise HarnessError(f"the check asks for {name!r}; checks may take only {', '.join(FIXTURES)}")
            arguments[name] = makers[name]()
        return arguments

    def annotated(self, outcome: Outcome) -> Outcome:
        """A passed verdict with what the check could not verify as its reason (e.g. MCP calls on an MCP
        server that is not the suite's own); any other outcome unchanged."""
        notes = list(dict.fromkeys(self._mcp.notes)) if self._mcp is not None else []
        if outcome.verdict is Verdict.passed and not outcome.reason and notes:
            return Outcome(Verdict.passed, "; ".join(notes))
        return outcome

    def strict_only(self) -> list[Violation]:
        """The strict-only violations of the rules the check owns, if it used a judge."""
        return list(self._judge.strict_only) if self._judge is not None else []

    def findings(self) -> list[Finding]:
        """Every violation the check's judge saw, located (owned or not, compat or strict-only)."""
        return list(self._judge.findings) if self._judge is not None else []

    def evidence(self) -> list[dict[str, Any]]:
        """The redacted, scrubbed wire log of what the check exchanged with the target."""
        exchanges = self.resources.secrets.scrub_obj(self._evidence.as_dict()["exchanges"])
        return list(exchanges)

    def close(self) -> None:
        """Release the check's client (the connections belong to the cell and stay open)."""
        if self._client is not None:
            self._client.close()
            self._client = None


def _auth(cell: Cell, secrets: Secrets) -> httpx.Auth:
    kind, secret = cell.credential.kind, cell.credential.secret
    if kind == "entra":
        return EntraAuth()
    secrets.add(secret)
    return BearerAuth(secret) if kind == "bearer" else ApiKeyAuth(secret)
