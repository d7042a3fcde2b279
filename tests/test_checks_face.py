"""``conformance.checks`` has a small public face (sorted, complete) and everything outside it uses only that."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import conformance.checks

ROOT = Path(conformance.checks.__file__).resolve().parents[2]
CHECKS = ROOT / "conformance" / "checks"
FACE = set(conformance.checks.__all__)


def test_exported_members_are_sorted_and_exist() -> None:
    assert conformance.checks.__all__ == sorted(conformance.checks.__all__)
    assert all(hasattr(conformance.checks, name) for name in conformance.checks.__all__)


def test_public_members_are_all_exported() -> None:
    public = {
        name for name, value in vars(conformance.checks).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == FACE


def test_importing_the_face_registers_no_check() -> None:
    code = "import conformance.checks as c, sys; print(len(c.registry()), any('.test_' in m for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "False"]


def _uses(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every import of ``conformance.checks`` or below in a file (name "" for ``import m``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.startswith("conformance.checks")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("conformance.checks"):
            found += [(node.module or "", a.name) for a in node.names]
    return found


def _outside(folder: str) -> list[Path]:
    return [p for p in (ROOT / folder).rglob("*.py") if CHECKS not in p.parents]


def test_the_package_outside_the_checks_imports_only_the_public_face() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {module} {name}".strip()
        for path in _outside("conformance") for module, name in _uses(path)
        if module != "conformance.checks" or (name and name not in FACE)
    }
    assert offenders == set()


@pytest.mark.parametrize("folder", ["tests", "benchmarks", ".ci"])
def test_tests_and_tools_never_import_the_check_machinery(folder: str) -> None:
    """They may open a check helper module to test or measure it (``_fuzz``, ``_tokens``), never ``_check``."""
    modules = {m.name for m in pkgutil.iter_modules(conformance.checks.__path__)}
    offenders = {
        f"{path.relative_to(ROOT)}: {module} {name}".strip()
        for path in _outside(folder) for module, name in _uses(path)
        if module.startswith("conformance.checks._check")
        or (module == "conformance.checks" and name and name not in FACE | modules - {"_check"})
    }
    assert offenders == set()
