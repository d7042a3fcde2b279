"""The shared real recordings grouped into sessions: one per recorded test (source and cassette), in order.

File names are ``<source-short>__<cassette-name>__<n>.json``; a session holds the interactions of one
cassette ordered by ``n``, judged against its provider's profile (``openai`` or ``azure``; ``other`` is out of
scope). A vercel/ai ``.chunks`` fixture that concatenates several streams gives one exchange per stream.
Reading a recording reuses ``.ci/validate_recordings.py`` (``_body``, ``split_streams``).
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from conformance.contract.exchange import Exchange, Session

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT.parent / "shared" / "reference" / "recordings"
PROFILES = ("openai", "azure")
_NAME = re.compile(r"^(?P<source>.+?)__(?P<cassette>.+)__(?P<n>\d+)\.json$")


def _validate_recordings() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_recordings", ROOT / ".ci" / "validate_recordings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SCRIPT = _validate_recordings()
body_of: Callable[[object], object] = _SCRIPT._body
split_streams: Callable[[str], list[str]] = _SCRIPT.split_streams


@dataclass(frozen=True)
class Recorded:
    """One session of the recordings and the files its exchanges came from (one file may give several)."""

    session: Session
    files: tuple[str, ...]

    @property
    def provider(self) -> str:
        return self.session.profile


def exchanges_of(record: dict[str, Any], name: str) -> list[Exchange]:
    """The exchanges of one recording file: one, or one per stream of a concatenated fixture."""
    request, response = record.get("request", {}), record.get("response", {})
    method, url = str(request.get("method", "POST")), str(request.get("path", ""))
    sent = body_of(request.get("body"))
    status = response.get("status")  # None: a response-only fixture that kept no status
    content_type = response.get("content_type")
    body = body_of(response.get("body"))
    sse = response.get("sse") if "sse" in response else body if isinstance(body, str) else None
    if sse is None:
        return [Exchange.from_raw(method, url, request=sent, status=status, body=body, content_type=content_type,
                                  source=name)]
    return [Exchange.from_raw(method, url, request=sent, status=status, body=transcript,
                              content_type="text/event-stream", source=name)
            for transcript in split_streams(sse)]


def load_sessions(recordings: Path = RECORDINGS) -> list[Recorded]:
    """Every openai and azure session of the recordings folder, sorted by name."""
    groups: dict[str, list[tuple[int, str, dict[str, Any]]]] = {}
    for path in sorted(recordings.glob("*__*.json")):
        match = _NAME.match(path.name)
        if match is None:
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("provider") not in PROFILES:
            continue
        key = f"{match['source']}__{match['cassette']}"
        groups.setdefault(key, []).append((int(match["n"]), path.name, record))
    out: list[Recorded] = []
    for key, members in sorted(groups.items()):
        members.sort(key=lambda m: m[0])
        providers = {m[2]["provider"] for m in members}
        if len(providers) != 1:
            raise ValueError(f"session {key} mixes providers {sorted(providers)}")
        exchanges = [x for _, name, record in members for x in exchanges_of(record, name)]
        out.append(Recorded(Session.of(key, exchanges, providers.pop()), tuple(name for _, name, _ in members)))
    return out
