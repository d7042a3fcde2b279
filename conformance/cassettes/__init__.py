"""Cassettes: record a run's traffic (scrubbed), replay it offline, serve it, and re-validate it."""

from conformance.cassettes._store import CassetteError, NoRecordedAnswer
from conformance.cassettes.session import (
    CassetteSession,
    cell_folders,
    reference_replay_cells,
    shipped_cassettes,
)

__all__ = [
    "CassetteError",
    "CassetteSession",
    "NoRecordedAnswer",
    "cell_folders",
    "reference_replay_cells",
    "shipped_cassettes",
]
