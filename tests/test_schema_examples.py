"""Runs every data-driven example under schemas/examples/ and meta-validates every schema file."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from conformance.contract import _catalog, _schemas
from conformance.contract.validate import ContractValidator

ROOT = Path(__file__).resolve().parent.parent / "schemas"
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(p for p in EXAMPLES.rglob("*.json") if p.name != "test-schema.json")


def _cases():
    for path in EXAMPLE_FILES:
        rel = path.relative_to(EXAMPLES).as_posix()
        for group in json.loads(path.read_text(encoding="utf-8")):
            target = group["schema"]["$ref"]
            entry = next((e for e in _schemas.catalog() if e.file == target), None)
            profiles = [group["profile"]] if "profile" in group else list(entry.profiles if entry else ["openai"])
            modes = [group["strict"]] if "strict" in group else [True, False]
            for test in group["tests"]:
                for profile in profiles:
                    for strict in modes:
                        mode = "strict" if strict else "compat"
                        yield pytest.param(
                            target, profile, strict, test,
                            id=f"{rel}::{group['description']}::{test['description']}[{profile},{mode}]",
                        )


@pytest.mark.parametrize(("target", "profile", "strict", "test"), list(_cases()))
def test_example(target, profile, strict, test):
    violations = ContractValidator(profile, strict=strict).validate_against(test["data"], target)
    if test["valid"]:
        assert violations == [], "\n".join(map(str, violations))
    else:
        assert violations, "expected at least one violation"
        if "rule" in test:
            assert test["rule"] in {v.rule for v in violations}, "\n".join(map(str, violations))


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_example_file_is_well_formed(path):
    meta = json.loads((EXAMPLES / "test-schema.json").read_text(encoding="utf-8"))
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(meta).validate(data)
    descriptions = [g["description"] for g in data]
    assert len(descriptions) == len(set(descriptions)), "group descriptions must be unique"
    for group in data:
        tests = [t["description"] for t in group["tests"]]
        assert len(tests) == len(set(tests)), f"test descriptions must be unique in {group['description']!r}"


@pytest.mark.parametrize("file", _catalog.schema_files(ROOT))
def test_schema_file_is_a_valid_2020_12_schema(file):
    schema = json.loads((ROOT / file).read_text(encoding="utf-8"))
    assert schema.get("$schema") == _schemas.DIALECT
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_schema_has_valid_and_invalid_examples():
    seen: dict[str, set[bool]] = {}
    for path in EXAMPLE_FILES:
        for group in json.loads(path.read_text(encoding="utf-8")):
            for test in group["tests"]:
                seen.setdefault(group["schema"]["$ref"], set()).add(test["valid"])
    missing = [
        e.file for e in _schemas.catalog() if e.kind not in ("event_base",) and seen.get(e.file) != {True, False}
    ]
    assert missing == [], f"schemas without both a valid and an invalid example: {missing}"


def test_catalog_is_up_to_date():
    assert (ROOT / "catalog.json").read_text(encoding="utf-8") == _catalog.render(ROOT), (
        "run: python -m conformance.contract._catalog"
    )
