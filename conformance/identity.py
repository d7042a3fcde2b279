"""A cell's identity as data: its fields, the key that matches cells across runs, the parts that tell cells apart.

Below the matrix and the report (it imports nothing from the package), so both read identities the same way.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

IDENTITY = (
    "provider", "region", "deployment", "model", "model_version", "api_style", "api_version", "endpoint", "profile",
    "mode",
)
"""The fields of a cell's identity, as ``Cell.identity()`` and report.json name them (``endpoint``: the host)."""
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def tell_apart(identities: Sequence[Mapping[str, str]], fields: Sequence[str]) -> list[str]:
    """For identities that share a name: the safe, readable part telling each apart (values of the first of
    ``fields`` that differ, as few as needed), with a digest of all ``fields`` added when values cannot."""
    chosen: list[str] = []
    parts = ["" for _ in identities]
    for name in dict.fromkeys(fields):
        if len({identity.get(name, "") for identity in identities}) > 1:
            chosen.append(name)
            parts = [safe("-".join(i[n] for n in chosen if i.get(n))) for i in identities]
            if len(set(parts)) == len(parts):
                return parts
    return ["-".join(p for p in (part, digest(i, fields)) if p) for part, i in zip(parts, identities, strict=True)]


def identity_key(identity: Mapping[str, str]) -> tuple[str, ...]:
    """What makes cells of two runs (two reports) the same cell: every field of ``IDENTITY`` (not the id, the
    auth, or the sdk and gateway under test); a loopback endpoint without its port, a free one each run."""
    values = {name: str(identity.get(name, "")) for name in IDENTITY}
    host = urlsplit("//" + values["endpoint"]).hostname
    if host in _LOOPBACK:
        values["endpoint"] = host
    return tuple(values[name] for name in IDENTITY)


def digest(identity: Mapping[str, str], fields: Sequence[str]) -> str:
    """A short stable digest of the values of ``fields``."""
    text = "\n".join(f"{name}={identity.get(name, '')}" for name in dict.fromkeys(fields))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def safe(text: str) -> str:
    """``text`` with every run of characters outside ``A-Za-z0-9._-`` made one ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)
