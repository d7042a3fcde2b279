"""The target matrix: cells (one target each), their vocabulary (modes, providers, auth) and the matrix file.

A matrix file is TOML. Every table below takes the same keys; a cell's value is the first one found in
its ``[[cells]]`` entry, else its ``[[deployments]]`` entry, else its ``[[regions]]`` entry, else
``[defaults]``::

    [defaults]
    api_style = "azure-v1"            # azure-v1 | azure-deployments | openai
    auth = "api-key"                  # api-key | entra | bearer
    secret_env = "AZURE_OPENAI_API_KEY"   # the env var holding the key or token (never the secret itself)

    [[regions]]                       # regions x deployments: one cell per pair
    region = "swedencentral"
    endpoint = "https://my-swc.openai.azure.com"

    [[deployments]]
    deployment = "gpt4o-prod"
    model = "gpt-4o"
    model_version = "2024-11-20"
    image_deployment = "gpt-image-1"  # sent as x-ms-oai-image-generation-deployment
    regions = ["swedencentral"]       # optional: only these regions

    [[cells]]                         # or single cells
    endpoint = "https://api.openai.com/v1"
    api_style = "openai"
    auth = "bearer"
    secret_env = "OPENAI_API_KEY"
    model = "my-model"
    capabilities = ["text", "streaming"]   # required for a model the table does not know

Other keys: ``provider`` (azure | openai | reference, from the style by default), ``profile``
(openai | azure | open-responses), ``api_version``, ``mode`` (live | replay | record),
``capabilities_add`` / ``capabilities_remove``, ``mcp_url`` and ``mcp_headers_env`` (a table of header
name → env var name), ``concurrency`` (checks of the cell in flight at once, an integer >= 1; not part of
the cell's identity). Every bad input raises :class:`MatrixError` naming the file and the key.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast, get_args
from urllib.parse import urlsplit

from conformance.capabilities import CAPABILITIES, capability_table
from conformance.identity import IDENTITY, digest, safe, tell_apart

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Mode = Literal["live", "replay", "record"]
"""How a cell reaches its target: over the network, from cassettes, or over the network into cassettes."""
Provider = Literal["azure", "openai", "reference"]
"""Who runs the target (the reference servers are ``reference``)."""
AuthKind = Literal["api-key", "entra", "bearer"]
"""The kind of a :class:`Credential`."""

API_STYLES = ("azure-v1", "azure-deployments", "openai")
AUTH_KINDS: tuple[AuthKind, ...] = get_args(AuthKind)
PROFILES = ("openai", "azure", "open-responses")
PROVIDERS: tuple[Provider, ...] = get_args(Provider)
MODES: tuple[Mode, ...] = get_args(Mode)
DEFAULT_API_VERSION = {"azure-v1": "preview", "azure-deployments": "2025-04-01-preview", "openai": ""}
_TELLING = ("model", "model_version", "api_version", "profile", "endpoint", *IDENTITY)

_KEYS = frozenset(
    {
        "provider", "region", "deployment", "model", "model_version", "endpoint", "api_style", "api_version",
        "profile", "mode", "auth", "secret_env", "capabilities", "capabilities_add", "capabilities_remove",
        "image_deployment", "mcp_url", "mcp_headers_env", "concurrency",
    }
)


class MatrixError(ValueError):
    """A matrix file or target option is unusable; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class Credential:
    """How to authenticate: the kind and, for api-key and bearer, the secret (never printed)."""

    kind: AuthKind
    secret: str = field(default="", repr=False)
    source: str = ""

    def describe(self) -> str:
        """A description safe to print and report (never the secret)."""
        return f"{self.kind} from ${self.source}" if self.source else self.kind


@dataclass(frozen=True)
class Cell:
    """One target of the matrix: its identity, what it supports, and how to reach and authenticate it."""

    provider: Provider
    region: str
    deployment: str
    model: str
    model_version: str
    api_style: str
    api_version: str
    endpoint: str
    profile: str
    capabilities: frozenset[str]
    credential: Credential = field(repr=False)
    mode: Mode = "live"
    mcp_url: str | None = None
    mcp_headers: Mapping[str, str] = field(default_factory=dict, repr=False, hash=False)
    image_deployment: str | None = None
    concurrency: int | None = None  # checks in flight at once (None: the run's default); not identity
    qualifier: str = field(default="", compare=False)  # set by distinct(): tells apart cells of one short id

    @property
    def auth(self) -> str:
        """The auth description (never the secret)."""
        return self.credential.describe()

    @property
    def host(self) -> str:
        """The endpoint's host (and port), without scheme, path or query."""
        return urlsplit(self.endpoint).netloc.rsplit("@", 1)[-1]

    @property
    def short_id(self) -> str:
        """provider-region-deployment-api_style, and the api-version and mode when not the default ones."""
        parts = [self.provider, self.region, self.deployment, self.api_style]
        if self.api_version and self.api_version != DEFAULT_API_VERSION.get(self.api_style):
            parts.append(self.api_version)
        if self.mode != "live":
            parts.append(self.mode)
        return safe("-".join(p for p in parts if p))

    @property
    def id(self) -> str:
        """A stable, readable, filesystem-safe string: the short id, and the qualifier ``distinct()`` gave it."""
        return self.short_id + self.qualifier

    def identity(self) -> dict[str, str]:
        """The cell's identity as the report shows it (endpoint host only)."""
        return {
            "id": self.id, "provider": self.provider, "region": self.region, "deployment": self.deployment,
            "model": self.model, "model_version": self.model_version, "api_style": self.api_style,
            "api_version": self.api_version, "endpoint": self.host, "profile": self.profile,
            "mode": self.mode, "auth": self.auth,
        }

    def key(self) -> tuple[str, ...]:
        """The whole identity: two cells of one run are the same cell when their keys are equal."""
        identity = self.identity()
        return tuple(identity[name] for name in IDENTITY)

    def secrets(self) -> list[str]:
        """Every secret value this cell carries (to scrub from all output)."""
        return [s for s in [self.credential.secret, *self.mcp_headers.values()] if s]


def load_matrix(path: str | Path, env: Mapping[str, str] | None = None) -> list[Cell]:
    """Read a matrix file into cells; any bad input raises MatrixError (one line, file and key named)."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MatrixError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MatrixError(f"{where}: not valid TOML: {exc}") from None
    environ = os.environ if env is None else env
    unknown = set(data) - {"defaults", "cells", "regions", "deployments"}
    if unknown:
        raise MatrixError(f"{where}: unknown key {sorted(unknown)[0]!r} (expected defaults, cells, regions, deployments)")
    defaults = _table(data.get("defaults", {}), f"{where}: [defaults]")
    regions = _tables(data, "regions", where)
    deployments = _tables(data, "deployments", where)
    cells = [(f"{where}: cells[{i}]", [cell, defaults]) for i, cell in enumerate(_tables(data, "cells", where))]
    if deployments and not regions:
        regions = [{}]
    if regions and not deployments:
        raise MatrixError(f"{where}: [[regions]] needs [[deployments]] to make cells")
    for r, region in enumerate(regions):
        for d, deployment in enumerate(deployments):
            only = deployment.get("regions")
            if only is not None and region.get("region") not in only:
                continue
            cells.append((f"{where}: regions[{r}] x deployments[{d}]", [deployment, region, defaults]))
    if not cells:
        raise MatrixError(f"{where}: no cell (add [[cells]] or [[regions]] and [[deployments]])")
    built = distinct([_cell(_merge(layers), label, environ) for label, layers in cells])
    seen: dict[tuple[str, ...], str] = {}
    for (label, _), cell in zip(cells, built, strict=True):
        if cell.key() in seen:
            raise MatrixError(f"{label}: the same cell as {seen[cell.key()]} ({cell.id})")
        seen[cell.key()] = label
    return built


def distinct(cells: Sequence[Cell]) -> list[Cell]:
    """The cells, with ids unique over their whole identity and as readable as can be.

    A cell keeps its short id unless another cell shares it; then each of them is qualified by what tells
    them apart (model, model version, api-version, profile, endpoint host: the first that differ, as few as
    needed), or by a digest of the identity when the readable parts cannot. Cells of one key keep one id.
    """
    out = [dataclasses.replace(cell, qualifier="") for cell in cells]
    for round_ in range(2):  # the second round: a qualified id that met another cell's id gets the digest
        groups: dict[str, list[int]] = defaultdict(list)
        for index, cell in enumerate(out):
            groups[cell.id].append(index)
        for members in groups.values():
            if len({out[i].key() for i in members}) < 2:
                continue
            identities = [out[i].identity() for i in members]
            parts = tell_apart(identities, _TELLING) if round_ == 0 else [digest(i, IDENTITY) for i in identities]
            for index, part in zip(members, parts, strict=True):
                if part:
                    out[index] = dataclasses.replace(out[index], qualifier=out[index].qualifier + "-" + part)
    return out


def target_cell(
    *, endpoint: str, api_style: str | None = None, model: str, region: str = "", deployment: str | None = None,
    api_version: str | None = None, api_key: str | None = None, bearer: str | None = None, entra: bool = False,
    profile: str | None = None, mcp_url: str | None = None, image_deployment: str | None = None,
    capabilities: Sequence[str] = (),
) -> Cell:
    """The one cell of a target given on the command line (raises MatrixError for bad options).

    ``capabilities`` (names, or comma-separated lists of names) replace the capability table's entry for the
    model; a model the table does not know needs them, as in a matrix file: never a silent fallback.
    """
    style = api_style or ("openai" if "azure" not in urlsplit(endpoint).netloc else "azure-v1")
    if entra:
        credential = Credential("entra")
    elif style == "openai" and (bearer or api_key):
        credential = Credential("bearer", bearer or api_key or "")
    elif api_key:
        credential = Credential("api-key", api_key)
    elif bearer:
        credential = Credential("bearer", bearer)
    else:
        raise MatrixError("--endpoint: no credential (give --api-key, --bearer or --entra)")
    settings: dict[str, Any] = {
        "endpoint": endpoint, "api_style": style, "model": model, "region": region,
        "deployment": deployment or model, "api_version": api_version, "profile": profile,
        "mcp_url": mcp_url, "image_deployment": image_deployment,
    }
    given = [name.strip() for entry in capabilities for name in entry.split(",") if name.strip()]
    if given:
        settings["capabilities"] = given
    elif model not in capability_table().models:
        known = ", ".join(sorted(capability_table().models))
        raise MatrixError(f"--model {model!r} is not in the capability table ({known}); "
                          f"give its capabilities: --capabilities {','.join(sorted(capability_table().base))},...")
    return _cell({k: v for k, v in settings.items() if v is not None}, "command line", {}, credential)


def _tables(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MatrixError(f"{where}: {key} must be an array of tables ([[{key}]])")
    return [_table(v, f"{where}: {key}[{i}]", extra={"regions"} if key == "deployments" else set())
            for i, v in enumerate(value)]


def _table(value: Any, label: str, extra: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MatrixError(f"{label}: must be a table")
    unknown = set(value) - _KEYS - extra
    if unknown:
        raise MatrixError(f"{label}: unknown key {sorted(unknown)[0]!r}")
    return value


def _merge(layers: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in reversed(layers):
        merged.update({k: v for k, v in layer.items() if k != "regions"})
    return merged


def _str(settings: dict[str, Any], key: str, label: str, default: str | None = None,
         choices: tuple[str, ...] = ()) -> str:
    value = settings.get(key, default)
    if value is None:
        raise MatrixError(f"{label}: missing key {key!r}")
    if not isinstance(value, str):
        raise MatrixError(f"{label}: {key} must be a string")
    if choices and value not in choices:
        raise MatrixError(f"{label}: {key} = {value!r} is not one of {', '.join(choices)}")
    return value


def _names(settings: dict[str, Any], key: str, label: str) -> frozenset[str]:
    value = settings.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MatrixError(f"{label}: {key} must be a list of capability names")
    unknown = set(value) - CAPABILITIES
    if unknown:
        raise MatrixError(f"{label}: {key} names unknown capability {sorted(unknown)[0]!r}")
    return frozenset(value)


def _capabilities(settings: dict[str, Any], model: str, label: str) -> frozenset[str]:
    table = capability_table()
    if "capabilities" in settings:
        base = _names(settings, "capabilities", label)
    elif model in table.models:
        base = table.models[model]
    else:
        raise MatrixError(f"{label}: model {model!r} is not in the capability table; give its capabilities")
    return (base | _names(settings, "capabilities_add", label)) - _names(settings, "capabilities_remove", label)


def _env(environ: Mapping[str, str], name: Any, label: str, key: str) -> str:
    if not isinstance(name, str) or not name:
        raise MatrixError(f"{label}: {key} must name an environment variable")
    value = environ.get(name)
    if not value:
        raise MatrixError(f"{label}: {key}: environment variable {name} is not set")
    return value


def _credential(settings: dict[str, Any], label: str, environ: Mapping[str, str]) -> Credential:
    kind = cast(AuthKind, _str(settings, "auth", label, "api-key", AUTH_KINDS))
    if kind == "entra":
        return Credential("entra")
    source = settings.get("secret_env")
    return Credential(kind, _env(environ, source, label, "secret_env"), str(source))


def _cell(settings: dict[str, Any], label: str, environ: Mapping[str, str],
          credential: Credential | None = None) -> Cell:
    endpoint = _str(settings, "endpoint", label)
    if urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc:
        raise MatrixError(f"{label}: endpoint {endpoint!r} is not an http(s) URL")
    style = _str(settings, "api_style", label, "azure-v1", API_STYLES)
    default_provider = "openai" if style == "openai" else "azure"
    provider = cast(Provider, _str(settings, "provider", label, default_provider, PROVIDERS))
    model = _str(settings, "model", label)
    headers_env = settings.get("mcp_headers_env", {})
    if not isinstance(headers_env, dict):
        raise MatrixError(f"{label}: mcp_headers_env must be a table of header name = env var name")
    mcp_url = settings.get("mcp_url")
    image = settings.get("image_deployment")
    for key, value in (("mcp_url", mcp_url), ("image_deployment", image)):
        if value is not None and not isinstance(value, str):
            raise MatrixError(f"{label}: {key} must be a string")
    return Cell(
        provider=provider,
        region=_str(settings, "region", label, ""),
        deployment=_str(settings, "deployment", label, model),
        model=model,
        model_version=_str(settings, "model_version", label, ""),
        api_style=style,
        api_version=_str(settings, "api_version", label, DEFAULT_API_VERSION[style]),
        endpoint=endpoint.rstrip("/"),
        profile=_str(settings, "profile", label, "openai" if provider == "openai" else "azure", PROFILES),
        capabilities=_capabilities(settings, model, label),
        credential=credential or _credential(settings, label, environ),
        mode=cast(Mode, _str(settings, "mode", label, "live", MODES)),
        mcp_url=mcp_url,
        mcp_headers={h: _env(environ, v, label, f"mcp_headers_env.{h}") for h, v in headers_env.items()},
        image_deployment=image,
        concurrency=_concurrency(settings, label),
    )


def _concurrency(settings: dict[str, Any], label: str) -> int | None:
    value = settings.get("concurrency")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MatrixError(f"{label}: concurrency must be an integer of at least 1, not {value!r}")
    return value
