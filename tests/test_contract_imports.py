"""Every module of conformance.contract imports nothing from conformance outside conformance.contract."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import conformance.contract

CONTRACT = Path(conformance.contract.__file__).resolve().parent
MODULES = sorted(CONTRACT.glob("*.py"))


def imported(path: Path) -> set[str]:
    """Absolute names of every module a file imports, at any depth (relative imports resolved)."""
    package = ["conformance", "contract"]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_contract_module_stays_inside_the_contract_layer(path: Path) -> None:
    outside = {
        name for name in imported(path)
        if (name == "conformance" or name.startswith("conformance."))
        and not name.startswith("conformance.contract")
    }
    assert outside == set()


def test_the_check_sees_relative_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from .. import cli\nfrom . import grammar\n")
    assert imported(module) == {"conformance", "conformance.cli", "conformance.contract",
                                "conformance.contract.grammar"}
