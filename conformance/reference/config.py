"""Settings of one reference server instance."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal

from conformance.reference.faults import Fault

Flavor = Literal["azure", "openai"]


def new_api_key() -> str:
    """A fresh random key, printed at start when none is given."""
    return "rc-" + secrets.token_urlsafe(24)


@dataclass
class ServerConfig:
    """Everything the app factory needs: flavour, auth, storage, timing, faults, violations, legal variations
    and MCP settings."""

    flavor: Flavor = "openai"
    api_key: str = field(default_factory=new_api_key)
    db: str = ":memory:"
    think_time: float = 1.0
    keepalive_interval: float = 0.5  # idle seconds between keepalives, when the keepalive fault is on
    faults: list[Fault] = field(default_factory=list)
    violations: tuple[str, ...] = ()
    variations: tuple[str, ...] = ()
    secret: str = "responses-conformance-reference"
    max_body_bytes: int = 64 * 1024 * 1024
    mcp_timeout: float = 10.0

    @property
    def profile(self) -> str:
        """The contract profile this flavour is judged against."""
        return self.flavor
