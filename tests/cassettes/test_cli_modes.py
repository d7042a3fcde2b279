"""A matrix cell's ``mode`` is honoured, and ``serve --from-cassettes`` refuses what it cannot serve."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from casskit import block_sockets
from typer.testing import CliRunner

from conformance.cli import app

SHIPPED = Path(__file__).resolve().parents[2] / "cassettes" / "reference" / "local"


def test_a_matrix_cell_in_replay_mode_is_replayed_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SHIPPED / "o4-mini@openai", tmp_path / "cass" / "local" / "o4-mini")
    monkeypatch.setenv("RC_T_KEY", "sk-any-key-for-replay")
    matrix = tmp_path / "m.toml"
    matrix.write_text(
        '[[cells]]\nprovider = "reference"\nregion = "local"\nmodel = "o4-mini"\nendpoint = "https://api.example/v1"\n'
        'api_style = "openai"\nauth = "bearer"\nsecret_env = "RC_T_KEY"\nmode = "replay"\n',
        encoding="utf-8",
    )
    attempts = block_sockets(monkeypatch)
    result = CliRunner().invoke(app, [
        "run", "--config", str(matrix), "--cassettes", str(tmp_path / "cass"), "--out", str(tmp_path / "out"),
        "--only", "lifecycle.*",
    ])
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "out" / "report.json").read_bytes())
    assert report["mode"] == "replay" and attempts == []
    assert {r["verdict"] for r in report["cells"][0]["results"]} == {"passed"}


def test_serve_from_cassettes_refuses_a_missing_folder_and_corrupt_cassettes(tmp_path: Path) -> None:
    cli = CliRunner()
    missing = cli.invoke(app, ["serve", "--from-cassettes", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "not a folder of cassettes" in missing.stderr
    (tmp_path / "bad.yaml").write_text("interactions: 3\n", encoding="utf-8")
    corrupt = cli.invoke(app, ["serve", "--from-cassettes", str(tmp_path)])
    assert corrupt.exit_code == 2 and f"error: {tmp_path / 'bad.yaml'}: not a cassette" in corrupt.stderr


def test_replay_with_no_target_replays_the_shipped_cassettes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = block_sockets(monkeypatch)
    result = CliRunner().invoke(app, ["run", "--mode", "replay", "--out", str(tmp_path), "--only", "chaining.*"])
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert [c["id"] for c in report["cells"]] == ["reference-local-o4-mini-azure-v1-replay", "reference-local-o4-mini-openai-replay"]
    assert {r["verdict"] for c in report["cells"] for r in c["results"]} == {"passed"} and attempts == []


def test_a_shard_of_the_replayed_cells_finds_their_cassettes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = block_sockets(monkeypatch)
    result = CliRunner().invoke(app, ["run", "--mode", "replay", "--shard", "2/2", "--out", str(tmp_path),
                                      "--only", "lifecycle.create.*"])
    assert result.exit_code == 0, result.output
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert [c["id"] for c in report["cells"]] == ["reference-local-o4-mini-openai-replay"]
    assert {r["verdict"] for c in report["cells"] for r in c["results"]} == {"passed"} and attempts == []
