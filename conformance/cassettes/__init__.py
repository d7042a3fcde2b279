"""Cassettes: record a run's traffic (scrubbed), replay it offline, serve it, and re-validate it."""

from conformance.cassettes._scrub import MCP_PLACEHOLDER, RESOURCE_PLACEHOLDER
from conformance.cassettes._store import CassetteError, NoRecordedAnswer
from conformance.cassettes.session import CassetteSession, cell_folders, shipped_cassettes

__all__ = [
    "MCP_PLACEHOLDER",
    "RESOURCE_PLACEHOLDER",
    "CassetteError",
    "CassetteSession",
    "NoRecordedAnswer",
    "cell_folders",
    "shipped_cassettes",
]
