"""Corrupt or hand-edited cassettes: one line naming the file, exit 2, and the rest of the run goes on."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
import yaml
from casskit import block_sockets
from typer.testing import CliRunner

from conformance.cli import app

SHIPPED = Path(__file__).resolve().parents[2] / "cassettes" / "reference" / "local"
CHECKS = ["lifecycle.create.returns_response", "lifecycle.delete.acknowledged", "lifecycle.retrieve.equals_create"]


def _corrupt(root: Path) -> list[Path]:
    azure, openai = root / "o4-mini@azure-v1", root / "o4-mini@openai"
    bad_yaml = azure / f"{CHECKS[0]}.yaml"
    bad_yaml.write_text("interactions: [\n  - {request: ", encoding="utf-8")
    missing = azure / f"{CHECKS[1]}.yaml"
    data = yaml.safe_load(missing.read_text(encoding="utf-8"))
    del data["interactions"][0]["response"]["status"]
    missing.write_text(yaml.safe_dump(data), encoding="utf-8")
    not_json = openai / f"{CHECKS[2]}.yaml"
    data = yaml.safe_load(not_json.read_text(encoding="utf-8"))
    data["interactions"][0]["response"]["body"]["string"] = "<html>not json</html>"
    not_json.write_text(yaml.safe_dump(data), encoding="utf-8")
    return [bad_yaml, missing, not_json]


def test_corrupt_cassettes_are_named_and_exit_2_while_the_other_checks_are_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(SHIPPED, tmp_path / "cassettes" / "local")
    broken = _corrupt(tmp_path / "cassettes" / "local")
    block_sockets(monkeypatch)
    only = [arg for check in CHECKS for arg in ("--only", check)]
    result = CliRunner().invoke(app, [
        "run", "--mode", "replay", "--cassettes", str(tmp_path / "cassettes"), "--out", str(tmp_path / "out"), *only,
    ])
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3 and all(any(str(path) in line for line in errors) for path in broken)
    assert "not a cassette" in errors[0] or "not a cassette" in " ".join(errors)
    assert any("body is not the JSON its content-type declares" in line for line in errors)
    assert any("lacks status.code" in line for line in errors)
    report = orjson.loads((tmp_path / "out" / "report.json").read_bytes())
    verdicts = {(c["id"], r["check"]): r["verdict"] for c in report["cells"] for r in c["results"]}
    assert list(verdicts.values()).count("passed") == 3 and list(verdicts.values()).count("error") == 3
    assert "Traceback" not in result.output
