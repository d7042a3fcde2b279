"""Loading the schema tree and deriving one schema set per (profile, mode).

The files under ``schemas/`` are written once. For a profile, properties marked ``x-profiles`` that do not
name it are dropped, and union branches whose target the catalog does not list for it are dropped. Strict
mode closes every declared object (``additionalProperties: false``) and every union's ``type``; compat mode
leaves them open, as a client must.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import orjson

SCHEMA_BASE = "https://responses-conformance.dev/schemas/"
Profile = Literal["openai", "azure", "open-responses"]
"""Which contract a target is judged against (DESIGN.md, Words)."""
PROFILES: tuple[Profile, ...] = get_args(Profile)
DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Subschema positions that describe the instance itself (so strict mode closes them);
# "if", "not", "contains" and "propertyNames" only test it and stay open.
_MAP_POSITIONS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_LIST_POSITIONS = ("allOf", "anyOf", "oneOf", "prefixItems")
_ONE_POSITIONS = ("items", "additionalProperties", "then", "else", "unevaluatedItems")


class SchemaError(Exception):
    """The schema tree itself is broken (a bad catalog, a missing file): a bug of this project."""


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    kind: str
    file: str
    profiles: tuple[str, ...]
    type: str | None = None
    title: str = ""


def schemas_dir() -> Path:
    """The ``schemas/`` folder: inside the wheel when installed, else the source tree."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data" / "schemas", here.parent / "schemas"):
        if (candidate / "catalog.json").is_file():
            return candidate
    raise SchemaError("schemas/catalog.json not found (is the package installed correctly?)")


@functools.lru_cache(maxsize=1)
def catalog() -> tuple[CatalogEntry, ...]:
    raw = orjson.loads((schemas_dir() / "catalog.json").read_bytes())
    entries = []
    for item in raw["schemas"]:
        entries.append(
            CatalogEntry(
                id=item["id"],
                kind=item["kind"],
                file=item["file"],
                profiles=tuple(item["profiles"]),
                type=item.get("type"),
                title=item.get("title", ""),
            )
        )
    return tuple(entries)


@functools.lru_cache(maxsize=1)
def raw_schemas() -> dict[str, dict[str, Any]]:
    """Every catalogued schema file, keyed by its path relative to ``schemas/``."""
    root = schemas_dir()
    out: dict[str, dict[str, Any]] = {}
    for entry in catalog():
        path = root / entry.file
        try:
            out[entry.file] = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise SchemaError(f"{entry.file}: {exc}") from exc
    return out


def uri(file: str) -> str:
    return SCHEMA_BASE + file


def _resolve(base_file: str, ref: str) -> str:
    """The catalog file a relative ``$ref`` points at (fragment dropped)."""
    target = ref.split("#", 1)[0]
    if not target:
        return base_file
    if target.startswith(SCHEMA_BASE):
        return target[len(SCHEMA_BASE) :]
    parts = base_file.split("/")[:-1]
    for seg in target.split("/"):
        if seg == "..":
            parts.pop()
        elif seg and seg != ".":
            parts.append(seg)
    return "/".join(parts)


def _subschemas(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in _MAP_POSITIONS:
        value = node.get(key)
        if isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, dict))
    for key in _LIST_POSITIONS:
        value = node.get(key)
        if isinstance(value, list):
            yield from (v for v in value if isinstance(v, dict))
    for key in _ONE_POSITIONS:
        value = node.get(key)
        if isinstance(value, dict):
            yield value


def _branch_target(branch: dict[str, Any]) -> str | None:
    then = branch.get("then")
    if isinstance(then, dict) and isinstance(then.get("$ref"), str):
        return str(then["$ref"])
    return None


def _branch_const(branch: dict[str, Any], key: str) -> str | None:
    cond = branch.get("if", {})
    const = cond.get("properties", {}).get(key, {}).get("const")
    return const if isinstance(const, str) else None


def derive(file: str, schema: dict[str, Any], profile: str, strict: bool) -> dict[str, Any]:
    """The schema of one file as seen by ``profile`` in strict or compat mode."""
    profiles_of = {e.file: e.profiles for e in catalog()}
    out = copy.deepcopy(schema)

    def walk(node: dict[str, Any]) -> None:
        props = node.get("properties")
        if isinstance(props, dict):
            dropped = [
                name
                for name, sub in props.items()
                if isinstance(sub, dict) and "x-profiles" in sub and profile not in sub["x-profiles"]
            ]
            for name in dropped:
                del props[name]
            if dropped and isinstance(node.get("required"), list):
                node["required"] = [r for r in node["required"] if r not in dropped]
        disc = node.get("x-discriminator")
        if isinstance(disc, str):
            kept = []
            for branch in node.get("allOf", []):
                target = _branch_target(branch)
                if target is not None:
                    target_file = _resolve(file, target)
                    if profile not in profiles_of.get(target_file, PROFILES):
                        continue
                if "x-profiles" in branch and profile not in branch["x-profiles"]:
                    continue
                kept.append(branch)
            node["allOf"] = kept
            if strict:
                known = sorted({c for b in kept if (c := _branch_const(b, disc)) is not None})
                node.setdefault("properties", {})[disc] = {"enum": known}
        elif (
            strict
            and isinstance(props, dict)
            and "additionalProperties" not in node
            and "unevaluatedProperties" not in node
            and not node.get("x-open", False)
        ):
            node["additionalProperties"] = False
        for sub in _subschemas(node):
            walk(sub)

    walk(out)
    out["$id"] = uri(file)
    return out
