"""The client's public API is small, sorted and complete; the package stays below checks, reference and report."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import conformance.client

CLIENT = Path(conformance.client.__file__).resolve().parent


def test_exported_members_are_sorted_and_exist() -> None:
    assert conformance.client.__all__ == sorted(conformance.client.__all__)
    assert all(hasattr(conformance.client, name) for name in conformance.client.__all__)


def test_public_members_are_all_exported() -> None:
    public = {
        name for name, value in vars(conformance.client).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(conformance.client.__all__)


def test_modules_stay_small_and_import_only_downwards() -> None:
    allowed = ("conformance.client", "conformance.contract")
    for path in CLIENT.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) < 300, path.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("conformance"):
                assert node.module.startswith(allowed), f"{path.name} imports {node.module}"
