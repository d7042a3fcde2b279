"""Validating files: JSON objects, arrays of them, and SSE transcripts, as the ``validate`` command does."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from conformance.contract.objects import check_object
from conformance.contract.sse import ServerSentEvent, looks_like_sse, parse_sse
from conformance.contract.stream import check_stream
from conformance.contract.validate import ContractValidator, InputKind, detect_kind
from conformance.contract.violations import Violation

SUFFIXES = (".json", ".sse", ".txt", ".jsonl", ".ndjson")


class UnreadableInput(Exception):
    """A file that cannot be read or parsed at all (exit code 2)."""


@dataclass
class FileResult:
    path: str
    kind: str
    objects: int = 0
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None and not self.violations

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.path,
            "kind": self.kind,
            "objects": self.objects,
            "valid": self.valid,
            "violations": [v.as_dict() for v in self.violations],
        }
        if self.error is not None:
            out["error"] = self.error
        return out


def expand(paths: list[str]) -> Iterator[str]:
    """Files named, and the files with a known suffix under folders named, in sorted order."""
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix in SUFFIXES:
                    yield str(child)
        else:
            yield raw


def _read(path: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"cannot read: {exc.strerror or exc}") from exc


def validate_file(
    path: str, validator: ContractValidator, kind: InputKind = "auto", *, starting_after: int | None = None
) -> FileResult:
    """Validate one file; unreadable input is reported in ``FileResult.error``, never raised.

    ``starting_after`` judges streams as resumed after that sequence number.
    """
    try:
        data = _read(path)
        if kind == "stream" or (kind == "auto" and looks_like_sse(data)):
            return _validate_transcript(path, data, validator, starting_after)
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise UnreadableInput(f"not JSON and not an SSE transcript ({exc})") from exc
        return _validate_json(path, value, validator, kind, starting_after)
    except UnreadableInput as exc:
        return FileResult(path, kind, error=str(exc))
    except RecursionError:
        return FileResult(path, kind, error="nested too deeply to validate")


def _validate_transcript(
    path: str, data: bytes, validator: ContractValidator, starting_after: int | None
) -> FileResult:
    events = parse_sse(data)
    if not events:
        raise UnreadableInput("an SSE transcript with no event")
    result = check_stream(events, validator, starting_after=starting_after)
    return FileResult(path, "stream", objects=result.events, violations=result.violations)


def _validate_json(
    path: str, value: Any, validator: ContractValidator, kind: InputKind, starting_after: int | None
) -> FileResult:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise UnreadableInput("an empty JSON array")
    kinds = [kind if kind not in ("auto", "stream") else detect_kind(item) for item in items]
    if isinstance(value, list) and (kind == "stream" or (kind == "auto" and set(kinds) == {"event"})):
        events = [ServerSentEvent(data=orjson.dumps(item).decode()) for item in items]
        result = check_stream(events, validator, starting_after=starting_after)
        return FileResult(path, "stream", objects=result.events, violations=result.violations)
    violations: list[Violation] = []
    for index, (item, item_kind) in enumerate(zip(items, kinds, strict=True)):
        if item_kind is None:
            raise UnreadableInput(
                f"cannot tell what kind of object {'item ' + str(index) if len(items) > 1 else 'this'} is;"
                " pass --kind"
            )
        for violation in check_object(item, item_kind, validator):
            if len(items) > 1:
                violation = Violation(
                    violation.rule, violation.message, f"/{index}{violation.pointer}",
                    violation.expected, violation.found, violation.index,
                )
            violations.append(violation)
    label = kinds[0] if len(set(kinds)) == 1 else "mixed"
    return FileResult(path, str(label), objects=len(items), violations=violations)
