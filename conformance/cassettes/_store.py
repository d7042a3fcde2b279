"""Cassette files in vcrpy's own format (``vcr.serialize``): load with checks, save, and name them safely."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from vcr.request import Request
from vcr.serialize import deserialize, serialize
from vcr.serializers import yamlserializer

from conformance.checks import HarnessError, Skipped

Key = tuple[str, str, str]
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


class CassetteError(HarnessError):
    """A cassette that cannot be used (bad YAML, missing fields, a body unlike its content-type)."""


class NoRecordedAnswer(HarnessError):
    """Replay met a request its cassette has no (unplayed) answer for."""


class NotRecorded(Skipped):
    """Replay of a check that has no cassette: the run was not given its traffic."""


def safe_name(part: str) -> str:
    """One path segment safe on every disk: letters, digits, ``._@-``; never empty, ``.`` or ``..``."""
    name = _UNSAFE.sub("_", part).strip(".") or "_"
    return name[:100]


def key_of(method: str, uri: str, body: str) -> Key:
    """What replay matches on: method, URL (path and query, host a placeholder), normalised body."""
    return (method.upper(), uri, body)


@dataclass
class Cassette:
    """The interactions of one check in one cell; replay plays each recorded answer once, in order."""

    path: Path
    requests: list[Request] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    _played: set[int] = field(default_factory=set)
    _keys: list[Key] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._keys = [key_of(r.method, r.uri, _text(r.body)) for r in self.requests]

    def append(self, request: Request, response: dict[str, Any]) -> None:
        self.requests.append(request)
        self.responses.append(response)
        self._keys.append(key_of(request.method, request.uri, _text(request.body)))

    def play(self, key: Key) -> dict[str, Any]:
        """The first unplayed answer to a request with this key; NoRecordedAnswer when there is none."""
        for index, known in enumerate(self._keys):
            if known == key and index not in self._played:
                self._played.add(index)
                return self.responses[index]
        if not self.path.exists():
            raise NotRecorded(f"not recorded: no cassette {self.path}")
        raise NoRecordedAnswer(f"no recorded answer for {key[0]} {key[1]} in {self.path}")

    def save(self) -> None:
        """Write the cassette (nothing when it holds no interaction)."""
        if not self.requests:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = serialize({"requests": self.requests, "responses": self.responses}, yamlserializer)
        temp = self.path.with_suffix(".tmp")
        temp.write_text(text, encoding="utf-8")
        temp.replace(self.path)


def load(path: Path) -> Cassette:
    """Read a cassette (a missing file is an empty one); CassetteError naming the file when it is corrupt."""
    if not path.exists():
        return Cassette(path)
    try:
        loaded = deserialize(path.read_text(encoding="utf-8"), yamlserializer)
        requests, responses = loaded[0], loaded[1]
        for index, response in enumerate(responses):
            _check_response(index, response)
    except CassetteError as exc:
        raise CassetteError(f"{path}: {exc}") from None
    except Exception as exc:  # vcrpy and yaml raise many kinds; all mean "not a usable cassette"
        raise CassetteError(f"{path}: not a cassette ({type(exc).__name__}: {_first_line(exc)})") from None
    return Cassette(path, list(requests), list(responses))


def content_type(headers: dict[str, Any]) -> str:
    """The content-type of recorded headers (``{name: [values]}``), lower-cased; empty when absent."""
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return str(values[0] if isinstance(values, list) else values).lower()
    return ""


def _check_response(index: int, response: Any) -> None:
    try:
        code, headers, body = response["status"]["code"], response["headers"], response["body"]["string"]
    except (KeyError, TypeError):
        raise CassetteError(f"interaction {index}: response lacks status.code, headers or body.string") from None
    if not isinstance(code, int) or not isinstance(headers, dict) or not isinstance(body, bytes | str):
        raise CassetteError(f"interaction {index}: response status, headers or body has the wrong type")
    raw = body.encode() if isinstance(body, str) else body
    if "json" in content_type(headers) and raw:
        try:
            orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise CassetteError(f"interaction {index}: the body is not the JSON its content-type declares") from None


def _text(body: Any) -> str:
    if body is None:
        return ""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]
