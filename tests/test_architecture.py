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
        path.name for path in _modules_outside("cli")
        if any(n == "conformance.cli" or n.startswith("conformance.cli.") for n in _imports(path))
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


def _imported_packages(package: str) -> dict[str, set[str]]:
    """For each module of a subpackage, the other conformance subpackages (or modules) it imports."""
    found: dict[str, set[str]] = {}
    for path in (PACKAGE / package).rglob("*.py"):
        names = {n.split(".")[1] for n in _imports(path) if n.startswith("conformance.") and n.count(".") >= 1}
        found[path.relative_to(PACKAGE).as_posix()] = names - {package}
    return found


def _offenders(package: str, allowed: set[str]) -> dict[str, set[str]]:
    return {m: names - allowed for m, names in _imported_packages(package).items() if names - allowed}


def test_the_client_imports_only_the_contract_core():
    assert _offenders("client", {"contract"}) == {}


def test_the_reference_server_never_imports_the_suite():
    assert _offenders("reference", {"contract", "fixtures"}) == {}


def test_the_checks_never_import_the_reference_server_or_the_runners():
    assert _offenders("checks", {"contract", "client", "fixtures", "matrix", "capabilities"}) == {}


def test_the_report_writers_see_no_pytest_and_no_checks():
    for path in (PACKAGE / "report").rglob("*.py"):
        names = _imports(path)
        assert not any(n == "pytest" or n.startswith(("_pytest", "conformance.checks")) for n in names), path.name


def _modules_outside(*parts: str) -> list[Path]:
    """Every module of the package but those under ``parts`` (subpackages or top-level modules, by name)."""
    return [
        path for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0].removesuffix(".py") not in parts
    ]


def test_nothing_below_the_runners_imports_them():
    """Only the commands import ``conformance.run``: the cli, and selftest (a command's library: it runs
    the suite against violating servers, and only the cli imports it)."""
    above = ("run", "cli", "selftest")
    importers = {
        path.relative_to(PACKAGE).as_posix() for path in _modules_outside(*above)
        if any(n == "conformance.run" or n.startswith("conformance.run.") for n in _imports(path))
    }
    assert importers == set()
    selftest_importers = {
        path.relative_to(PACKAGE).as_posix() for path in _modules_outside("cli", "selftest")
        if any(n.startswith("conformance.selftest") for n in _imports(path))
    }
    assert selftest_importers == set()


def test_the_matrix_and_its_vocabulary_import_nothing_from_the_checks():
    assert {n for n in _imports(PACKAGE / "matrix.py") if n.startswith("conformance.")} <= {
        "conformance.capabilities", "conformance.identity",
    }
    for low in ("capabilities.py", "identity.py"):
        assert {n for n in _imports(PACKAGE / low) if n.startswith("conformance")} == set(), low
