"""A cell's id is unique over its whole identity and stays readable; cassette folders follow it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from suitekit import make_cell

from conformance.cassettes import cell_folders
from conformance.identity import IDENTITY, identity_key
from conformance.matrix import Cell, MatrixError, distinct, load_matrix
from conformance.run.embedded import reference_cell, reference_replay_cells

ENV = {"KEY": "secret-1234"}
BASE = {"secret_env": "KEY", "region": "swedencentral", "deployment": "gpt4o", "model": "gpt-4o",
        "endpoint": "https://swc.openai.azure.com"}


def _load(tmp_path: Path, *cells: dict[str, str]) -> list[Cell]:
    """Cells of a matrix file: each the BASE cell with some keys changed."""
    path = tmp_path / "matrix.toml"
    tables = ["[[cells]]\n" + "".join(f'{k} = "{v}"\n' for k, v in {**BASE, **cell}.items()) for cell in cells]
    path.write_text("".join(tables), encoding="utf-8")
    return load_matrix(path, env=ENV)


def test_cells_that_differ_only_in_the_host_get_ids_naming_it(tmp_path: Path) -> None:
    direct, gateway = _load(tmp_path, {}, {"endpoint": "https://gw.contoso.com/azure"})
    assert (direct.id, gateway.id) == (
        "azure-swedencentral-gpt4o-azure-v1-swc.openai.azure.com", "azure-swedencentral-gpt4o-azure-v1-gw.contoso.com",
    )


@pytest.mark.parametrize(("key", "values", "parts"), [
    ("model", ("gpt-4o", "gpt-4o-mini"), ("gpt-4o", "gpt-4o-mini")),
    ("model_version", ("2024-08-06", "2024-11-20"), ("2024-08-06", "2024-11-20")),
    ("profile", ("azure", "open-responses"), ("azure", "open-responses")),
])
def test_cells_that_differ_only_in_model_version_or_profile_get_distinct_ids(
    tmp_path: Path, key: str, values: tuple[str, str], parts: tuple[str, str]
) -> None:
    cells = _load(tmp_path, *({key: value} for value in values))
    assert [c.id for c in cells] == [f"azure-swedencentral-gpt4o-azure-v1-{part}" for part in parts]


def test_an_unambiguous_cell_keeps_its_short_id(tmp_path: Path) -> None:
    (cell,) = _load(tmp_path, {"model_version": "2024-11-20"})
    assert cell.id == cell.short_id == "azure-swedencentral-gpt4o-azure-v1"


def test_the_same_identity_twice_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(MatrixError, match=r"cells\[1\]: the same cell as .*cells\[0\]"):
        _load(tmp_path, {}, {"endpoint": "https://swc.openai.azure.com/"})


def test_when_readable_parts_cannot_tell_cells_apart_a_stable_digest_does() -> None:
    one, two = make_cell(region="west us"), make_cell(region="west_us")  # the same once made safe
    ids = [c.id for c in distinct([one, two])]
    assert ids[0] != ids[1] and all(i.startswith("openai-west_us-gpt-4o-openai-") for i in ids)
    assert [c.id for c in distinct([two, one])] == ids[::-1]  # a function of the identities, not of the order


def test_a_qualified_id_never_meets_another_cells_id() -> None:
    a = make_cell(deployment="d", model="m")
    b = make_cell(deployment="d", model="n")
    c = make_cell(deployment="d-m", model="x")  # short id openai-test-d-m-openai: a's qualified id
    ids = [cell.id for cell in distinct([a, b, c])]
    assert len(set(ids)) == 3


def test_the_cells_of_the_embedded_run_keep_their_ids() -> None:
    cells = [reference_cell(f, "http://127.0.0.1:1234", "k", "http://127.0.0.1:9/mcp", "t") for f in ("azure", "openai")]
    assert [c.id for c in distinct(cells)] == ["reference-local-o4-mini-azure-v1", "reference-local-o4-mini-openai"]
    third = dataclasses.replace(cells[1], profile="open-responses", endpoint="http://127.0.0.1:5678/v1")
    assert [c.id for c in distinct([*cells, third])] == [
        "reference-local-o4-mini-azure-v1", "reference-local-o4-mini-openai-openai",
        "reference-local-o4-mini-openai-open-responses",
    ]


def test_a_loopback_endpoint_matches_across_runs_whatever_its_port() -> None:
    first, second = make_cell(endpoint="http://127.0.0.1:4001/v1"), make_cell(endpoint="http://127.0.0.1:4999/v1")
    assert identity_key(first.identity()) == identity_key(second.identity())
    assert first.key() != second.key()  # within one run they are two cells
    remote = make_cell(endpoint="https://gw.example:8443/v1")
    assert identity_key(remote.identity())[IDENTITY.index("endpoint")] == "gw.example:8443"


def test_the_shipped_cassette_folders_are_unchanged() -> None:
    folders = cell_folders([dataclasses.replace(c, mode="replay") for c in reference_replay_cells()])
    assert sorted(folders.values()) == ["local/o4-mini@azure-v1", "local/o4-mini@openai"]


def test_cells_that_share_a_folder_and_a_style_get_one_each_the_same_in_record_and_replay() -> None:
    cells = [make_cell(model="gpt-4o"), make_cell(model="gpt-4o-mini"), make_cell(region="other")]
    recorded = cell_folders(distinct([dataclasses.replace(c, mode="record") for c in cells]))
    replayed = cell_folders(distinct([dataclasses.replace(c, mode="replay") for c in cells]))
    assert sorted(recorded.values()) == sorted(replayed.values()) == [
        "other/gpt-4o", "test/gpt-4o@openai@gpt-4o", "test/gpt-4o@openai@gpt-4o-mini",
    ]
