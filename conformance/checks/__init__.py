"""The suite: one module per feature, each check registered with ``@check`` under a stable ID.

This package's names are the public face of checks, for the suite's own and for yours (README, "Your own
checks"). To write one: :func:`check` with a :class:`Tier` and a :class:`Level`; a body that takes the
fixtures it needs by name (``cell``: :class:`Cell`, ``client``: :class:`ResponsesClient`, ``judge``:
:class:`Judge`, ``mcp``: :class:`McpServer`, with the suite's MCP server's :class:`McpLog`) and fails with :func:`expect`, :func:`expect_no_violations` or
:class:`ContractViolation`; the other outcomes are :class:`NonStrict`, :class:`NotApplicable`,
:class:`Unsupported`, :class:`Skipped` and :class:`HarnessError`. To run them: :func:`registry`,
:func:`info_of`, :class:`CheckInfo`, :func:`retired_checks` (IDs never to reuse) and :func:`seeded` (reproducible tokens for record and replay).

Importing this package registers no check: ``conformance.run.runner.load_checks`` imports the modules.
"""

from conformance.checks._check import (
    CheckInfo,
    ContractViolation,
    HarnessError,
    McpServer,
    NonStrict,
    NotApplicable,
    Skipped,
    Tier,
    Unsupported,
    check,
    expect,
    expect_no_violations,
    info_of,
    registry,
)
from conformance.checks._judge import Judge
from conformance.checks._mcp_log import McpLog
from conformance.checks._retired import retired_checks
from conformance.checks._tokens import seeded
from conformance.client import ResponsesClient
from conformance.contract.rules import Level
from conformance.matrix import Cell

__all__ = [
    "Cell",
    "CheckInfo",
    "ContractViolation",
    "HarnessError",
    "Judge",
    "Level",
    "McpLog",
    "McpServer",
    "NonStrict",
    "NotApplicable",
    "ResponsesClient",
    "Skipped",
    "Tier",
    "Unsupported",
    "check",
    "expect",
    "expect_no_violations",
    "info_of",
    "registry",
    "retired_checks",
    "seeded",
]
