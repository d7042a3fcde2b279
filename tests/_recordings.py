"""The shared real recordings (``../shared/reference/recordings`` beside the project), read by file name.

Tests that feed a real recorded exchange to a rule or a check's judge use these helpers; they skip when the
recordings are not there (``needs_recordings``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.contract.exchange import Exchange, Session

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT.parent / "shared" / "reference" / "recordings"
needs_recordings = pytest.mark.skipif(
    not RECORDINGS.is_dir(), reason=f"the shared recordings are not at {RECORDINGS}"
)

sys.path.insert(0, str(ROOT / "tests" / "recordings"))
from sessions import exchanges_of  # noqa: E402


def recording(name: str) -> dict[str, Any]:
    """One recording file, by name (``<source>__<cassette>__<n>.json``)."""
    found: dict[str, Any] = json.loads((RECORDINGS / name).read_text(encoding="utf-8"))
    return found


def recorded_exchanges(name: str) -> list[Exchange]:
    """The exchanges of one recording file (one, or one per stream of a concatenated fixture)."""
    return exchanges_of(recording(name), name)


def recorded_session(*names: str) -> Session:
    """A session of the named recording files, in the order given, judged against their provider's profile."""
    profiles = {recording(name)["provider"] for name in names}
    assert len(profiles) == 1, profiles
    return Session.of(
        names[0].rsplit("__", 1)[0], [x for name in names for x in recorded_exchanges(name)], profiles.pop()
    )
