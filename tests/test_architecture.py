"""The layer arrows of DESIGN.md and the small public API, enforced."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import conformance

PACKAGE = Path(conformance.__file__).resolve().parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_nothing_imports_the_cli():
    importers = [
        path.name for path in PACKAGE.rglob("*.py")
        if path.name != "cli.py" and any(n == "conformance.cli" for n in _imports(path))
    ]
    assert importers == []


def test_exported_members_are_sorted_and_exist():
    assert conformance.__all__ == sorted(conformance.__all__)
    for name in conformance.__all__:
        assert hasattr(conformance, name)


def test_public_members_are_all_exported():
    public = {
        name for name, value in vars(conformance).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)  # subpackages are not API
    }
    assert public <= set(conformance.__all__)
