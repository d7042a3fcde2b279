"""`run --shard I/N` runs a deterministic slice of the cells; merging the 4 shards gives the unsharded verdicts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from conformance.cli import app
from conformance.matrix import load_matrix
from conformance.reference.config import ServerConfig
from conformance.reference.server import start_server
from conformance.report.json import read_json
from conformance.report.model import Report
from conformance.report.schema import report_errors
from conformance.run.embedded import REFERENCE_CAPABILITIES, REFERENCE_MODEL
from conformance.run.options import shard

KEY = "shard-test-key-0042"
ONLY = ["lifecycle.create.returns_response", "errors.auth.missing_key"]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A matrix file of 8 cells (8 regions) over two reference servers, the key in $SHARD_TEST_KEY."""
    servers = [start_server(ServerConfig(flavor=f, api_key=KEY)) for f in ("azure", "openai")]  # type: ignore[arg-type]
    lines = [f'[defaults]\nprovider = "reference"\nmodel = "{REFERENCE_MODEL}"\nsecret_env = "SHARD_TEST_KEY"']
    lines.append(f"capabilities = {sorted(REFERENCE_CAPABILITIES)!r}".replace("'", '"'))
    for n in range(8):
        server = servers[n % 2]
        style, auth, url = ("azure-v1", "api-key", server.url) if n % 2 == 0 else ("openai", "bearer", f"{server.url}/v1")
        lines.append(f'[[cells]]\nregion = "r{n}"\nendpoint = "{url}"\napi_style = "{style}"\nauth = "{auth}"')
    path = tmp_path_factory.mktemp("matrix") / "matrix.toml"
    path.write_text("\n".join(lines) + "\n")
    yield path
    for server in servers:
        server.stop()


def _run(matrix: Path, out: Path, *extra: str) -> Report:
    args = ["run", "--config", str(matrix), "--out", str(out), "--jobs", "4", *extra]
    for glob in ONLY:
        args += ["--only", glob]
    result = CliRunner().invoke(app, args, env={"SHARD_TEST_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert report_errors(orjson.loads((out / "report.json").read_bytes())) == []
    return read_json(out / "report.json")


def _verdicts(report: Report) -> dict[tuple[str, str], str]:
    return {(c.id, r.check): r.verdict.value for c in report.cells for r in c.results}


def test_merge_of_four_shards_equals_the_unsharded_run(matrix: Path, tmp_path: Path):
    whole = _run(matrix, tmp_path / "whole")
    shards = [_run(matrix, tmp_path / f"shard{i}", "--shard", f"{i}/4") for i in range(1, 5)]
    assert [len(s.cells) for s in shards] == [2, 2, 2, 2]
    paths = [str(tmp_path / f"shard{i}" / "report.json") for i in range(1, 5)]
    result = CliRunner().invoke(app, ["report", "merge", *paths, "-o", str(tmp_path / "merged.json")])
    assert result.exit_code == 0, result.output
    merged = read_json(tmp_path / "merged.json")
    assert len(whole.cells) == 8 and len(_verdicts(whole)) == 16
    assert _verdicts(merged) == _verdicts(whole)
    assert set(_verdicts(whole).values()) == {"passed"}


def test_shards_partition_the_cells_whatever_their_order(matrix: Path):
    cells = load_matrix(matrix, env={"SHARD_TEST_KEY": KEY})
    slices = [shard(cells, i, 3) for i in (1, 2, 3)]
    assert sorted(c.id for s in slices for c in s) == sorted(c.id for c in cells)
    assert [shard(list(reversed(cells)), i, 3) for i in (1, 2, 3)] == slices


@pytest.mark.parametrize("bad", ["0/4", "5/4", "1/0", "a/b", "2"])
def test_a_bad_shard_is_exit_2(bad: str, tmp_path: Path):
    result = CliRunner().invoke(app, ["run", "--shard", bad, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: --shard must be I/N with 1 <= I <= N, not {bad!r}"]
