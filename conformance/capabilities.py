"""The capability vocabulary (what a check may require) and the built-in capability table (what a model has).

The lowest layer beside ``contract/``: it imports nothing from the rest of the package, so the matrix, the
checks and the runners all share one list of names.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Capability = Literal[
    "text", "streaming", "background", "store", "function_calling", "structured_output", "vision",
    "pdf_input", "file_upload", "reasoning", "encrypted_reasoning", "image_generation", "mcp",
    "computer_use", "web_search", "code_interpreter", "file_search",
]
"""A feature a check may require; the capability table and the run's inputs provide them."""
CAPABILITIES: frozenset[str] = frozenset(get_args(Capability))


@dataclass(frozen=True)
class CapabilityTable:
    """The built-in table: the documented regions and, per model, its versions and capabilities."""

    regions: frozenset[str]
    models: Mapping[str, frozenset[str]]
    versions: Mapping[str, tuple[str, ...]]
    base: frozenset[str]


@lru_cache(maxsize=1)
def capability_table() -> CapabilityTable:
    """Load ``conformance/data/capabilities.toml`` (package data)."""
    data = tomllib.loads(resources.files("conformance").joinpath("data/capabilities.toml").read_text("utf-8"))
    base = data["base"]
    models = {
        name: frozenset(entry.get("base", base)) | frozenset(entry["capabilities"])
        for name, entry in data["models"].items()
    }
    versions = {name: tuple(entry["versions"]) for name, entry in data["models"].items()}
    return CapabilityTable(frozenset(data["regions"]), models, versions, frozenset(base))
