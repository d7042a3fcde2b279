"""Cells in record or replay mode (``Cell.mode``): one CassetteTransport per cell, one cassette per check, seeded tokens.

Each cell has its own transport, so cells still run concurrently; nothing is patched globally.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from conformance.cassettes._scrub import MCP_PLACEHOLDER, RESOURCE_PLACEHOLDER, Scrubber
from conformance.cassettes._store import CassetteError, safe_name
from conformance.cassettes._transport import CassetteTransport
from conformance.checks import seeded
from conformance.client import Secrets
from conformance.identity import tell_apart
from conformance.matrix import Cell

# What tells apart cells whose folders are still shared: never the mode (record and replay share a folder).
_FOLDER_FIELDS = ("model", "model_version", "api_version", "profile", "endpoint", "provider", "region", "deployment")


def cell_folders(cells: Sequence[Cell]) -> dict[str, str]:
    """Each cell's folder, ``<region>/<deployment>``; cells that would share one get ``@<api-style>`` added,
    and if they still would, ``@`` and what tells them apart (model, model version, profile, host, ...)."""
    folders = [f"{safe_name(cell.region or cell.provider)}/{safe_name(cell.deployment)}" for cell in cells]
    folders = _apart(cells, folders, lambda group: [safe_name(cell.api_style) for cell in group])
    folders = _apart(cells, folders, lambda group: tell_apart([c.identity() for c in group], _FOLDER_FIELDS))
    return {cell.id: folder for cell, folder in zip(cells, folders, strict=True)}


def _apart(cells: Sequence[Cell], folders: list[str], parts: Callable[[list[Cell]], list[str]]) -> list[str]:
    """The folders, those shared by cells of another identity suffixed with ``@`` and the cell's part."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, folder in enumerate(folders):
        groups[folder].append(index)
    out = list(folders)
    for members in groups.values():
        if len({cells[i].key() for i in members}) > 1:
            for index, part in zip(members, parts([cells[i] for i in members]), strict=True):
                out[index] += f"@{part}" if part else ""
    return out


class CassetteSession:
    """Record or replay each cell (by its mode) under ``root``; ``errors`` lists the corrupt cassettes met."""

    def __init__(
        self, root: Path, cells: Sequence[Cell], secrets: Secrets,
        inner: Callable[[Cell], httpx.BaseTransport] | None = None,
    ) -> None:
        self.root = root
        self.errors: list[str] = []
        self._folders = cell_folders(cells)
        self._transports: dict[str, CassetteTransport] = {}
        self._inner = inner
        self._secrets = secrets
        self._lock = threading.Lock()

    def transport(self, cell: Cell) -> httpx.BaseTransport:
        """The cell's transport (a ``TransportFactory`` for the runner)."""
        with self._lock:
            if cell.mode == "live":
                return self._inner(cell) if self._inner is not None else httpx.HTTPTransport()
            if cell.id not in self._transports:
                origins = {_origin(cell.endpoint): RESOURCE_PLACEHOLDER}
                if cell.mcp_url:
                    origins[_origin(cell.mcp_url)] = MCP_PLACEHOLDER
                inner = self._inner(cell) if self._inner is not None and cell.mode == "record" else None
                self._transports[cell.id] = CassetteTransport(
                    cell.mode, self.root / self._folders[cell.id], Scrubber(self._secrets, origins), inner
                )
            return self._transports[cell.id]

    @contextmanager
    def scope(self, cell: Cell, check_id: str) -> Iterator[None]:
        """Run one check on its cassette, with tokens seeded from the cell's folder and the check ID."""
        if cell.mode == "live":
            yield
            return
        transport = self.transport(cell)
        assert isinstance(transport, CassetteTransport)
        try:
            with seeded(f"{self._folders[cell.id]}/{check_id}"), transport.use(safe_name(check_id)):
                yield
        except CassetteError as exc:
            with self._lock:
                self.errors.append(str(exc))
            raise


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def shipped_cassettes() -> Path:
    """The cassettes recorded from the reference servers: in the installed package, else in the source tree."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "_data" / "cassettes" / "reference"
    return installed if installed.is_dir() else package.parent / "cassettes" / "reference"
