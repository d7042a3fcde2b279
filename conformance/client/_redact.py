"""Keeping secrets out of evidence, reports and logs: header allow-list, URL, JSON and text redaction."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"api-key", "authorization", "x-api-key", "ocp-apim-subscription-key"})
SHOWN_HEADERS = frozenset(
    {
        "accept", "apim-request-id", "content-type", "openai-model", "openai-processing-ms", "openai-version",
        "retry-after", "retry-after-ms", "x-ms-client-request-id", "x-ms-oai-image-generation-deployment",
        "x-ms-region", "x-request-id",
    }
)
SHOWN_PREFIXES = ("x-ratelimit-",)
# Query parameters that carry credentials: keys, bearer tokens, and Azure SAS / S3 / GCS signatures.
SECRET_PARAMS = frozenset(
    {
        "api-key", "api_key", "apikey", "key", "code", "token", "access_token", "sig", "se", "st", "sp", "sv",
        "sr", "spr", "srt", "ss", "sip", "sdd", "skoid", "sktid", "skt", "ske", "sks", "skv", "saoid", "suoid",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential",
    }
)
SECRET_KEYS = frozenset(
    {"api_key", "api-key", "apikey", "authorization", "access_token", "client_secret", "password"}
)
MIN_SECRET_LENGTH = 4
_URL = re.compile(r"https?://[^\s\"'<>]+")


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The allow-listed headers (names lower-cased); a secret header shows only as ``<redacted>``."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in SECRET_HEADERS:
            shown[low] = REDACTED
        elif low in SHOWN_HEADERS or low.startswith(SHOWN_PREFIXES):
            shown[low] = value
    return dict(sorted(shown.items()))


def redact_url(url: str) -> str:
    """The URL without userinfo and without credential query parameters (api keys, SAS signatures)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc.rpartition("@")[2]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in SECRET_PARAMS]
    if netloc == parts.netloc and len(kept) == len(pairs):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept, safe="/:,"), parts.fragment))


def redact_json(obj: Any) -> Any:
    """A copy with credential fields, MCP tool ``headers`` and secret URL parts (also inside text) replaced."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        is_mcp = obj.get("type") == "mcp"
        for key, value in obj.items():
            if value is not None and (key.lower() in SECRET_KEYS or (is_mcp and key == "headers")):
                out[key] = REDACTED
            else:
                out[key] = redact_json(value)
        return out
    if isinstance(obj, list):
        return [redact_json(value) for value in obj]
    if isinstance(obj, str) and "://" in obj:
        return _URL.sub(lambda match: redact_url(match.group()), obj)
    return obj


def mcp_header_values(body: Any) -> list[str]:
    """The header values of every MCP tool in a request body (they are secrets: often tokens)."""
    found: list[str] = []
    tools = body.get("tools") if isinstance(body, dict) else None
    for tool in tools if isinstance(tools, list) else []:
        headers = tool.get("headers") if isinstance(tool, dict) and tool.get("type") == "mcp" else None
        if isinstance(headers, dict):
            found += [value for value in headers.values() if isinstance(value, str)]
        if isinstance(tool, dict) and isinstance(tool.get("authorization"), str):
            found.append(tool["authorization"])
    return found


def _variants(secret: str) -> set[str]:
    """The forms a secret takes in text: as is, URL-quoted, JSON-escaped, and without a ``Bearer`` prefix."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]}
    scheme, _, rest = secret.partition(" ")
    if scheme.lower() in ("bearer", "basic") and rest:
        forms.add(rest.strip())
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class Secrets:
    """Every secret string a run knows; ``scrub`` replaces each occurrence: the last line of defence."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._lock = threading.RLock()
        self._values: set[str] = set()
        self._sources: list[Callable[[], Iterable[str]]] = []
        self._known: frozenset[str] = frozenset()
        self._patterns: tuple[str, ...] = ()
        self.add(*values)

    def add(self, *values: str | None) -> None:
        """Remember secret values (empty ones and ones shorter than 4 characters are ignored)."""
        with self._lock:
            self._values.update(v for v in values if v and len(v) >= MIN_SECRET_LENGTH)

    def add_source(self, source: Callable[[], Iterable[str]]) -> None:
        """Ask ``source`` for its current secrets at every scrub (e.g. Entra tokens, which change)."""
        with self._lock:
            if source not in self._sources:
                self._sources.append(source)

    def add_headers(self, headers: Mapping[str, str]) -> None:
        """Remember the values of the secret headers among ``headers``."""
        self.add(*(value for name, value in headers.items() if name.lower() in SECRET_HEADERS))

    def _current(self) -> tuple[str, ...]:
        with self._lock:
            known = set(self._values)
            for source in self._sources:
                known.update(v for v in source() if v and len(v) >= MIN_SECRET_LENGTH)
            if known != self._known:
                forms = set().union(*(_variants(v) for v in known)) if known else set()
                self._known = frozenset(known)
                self._patterns = tuple(sorted(forms, key=len, reverse=True))
            return self._patterns

    def scrub(self, text: str) -> str:
        """``text`` with every known secret (in any of its usual forms) replaced by ``<redacted>``."""
        return _replace(text, self._current())

    def scrub_obj(self, obj: Any) -> Any:
        """A copy of a JSON-like object with every string (keys too) scrubbed."""
        patterns = self._current()
        return _walk(obj, patterns) if patterns else obj

    def __len__(self) -> int:
        return len(self._current())

    def __repr__(self) -> str:
        return f"Secrets({len(self._known)} known)"


def _replace(text: str, patterns: tuple[str, ...]) -> str:
    for pattern in patterns:
        if pattern in text:
            text = text.replace(pattern, REDACTED)
    return text


def _walk(obj: Any, patterns: tuple[str, ...]) -> Any:
    if isinstance(obj, str):
        return _replace(obj, patterns)
    if isinstance(obj, dict):
        return {_replace(str(k), patterns): _walk(v, patterns) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_walk(v, patterns) for v in obj]
    return obj
