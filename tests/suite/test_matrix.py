"""The matrix file, the built-in capability table and cell identity."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.capabilities import CAPABILITIES
from conformance.matrix import Cell, MatrixError, capability_table, load_matrix, target_cell

ENV = {"KEY_SWC": "swc-secret-1234", "KEY_EUS": "eus-secret-5678", "OPENAI_TOKEN": "sk-openai-9999",
       "MCP_TOKEN": "Bearer mcp-secret-0000"}

GOOD = """
[defaults]
api_style = "azure-v1"
auth = "api-key"
secret_env = "KEY_SWC"

[[regions]]
region = "swedencentral"
endpoint = "https://swc.openai.azure.com/"

[[regions]]
region = "eastus2"
endpoint = "https://eus.openai.azure.com"
secret_env = "KEY_EUS"

[[deployments]]
deployment = "gpt4o-prod"
model = "gpt-4o"
model_version = "2024-11-20"
image_deployment = "gpt-image-1"

[[deployments]]
deployment = "o3-dev"
model = "o3"
regions = ["eastus2"]
capabilities_remove = ["mcp"]

[[cells]]
endpoint = "https://api.openai.com/v1"
api_style = "openai"
auth = "bearer"
secret_env = "OPENAI_TOKEN"
model = "my-model"
capabilities = ["text", "streaming"]
mcp_url = "https://mcp.example.com/mcp"
mcp_headers_env = { Authorization = "MCP_TOKEN" }
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "matrix.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_regions_times_deployments_plus_cells(tmp_path):
    cells = load_matrix(_write(tmp_path, GOOD), env=ENV)
    assert [c.id for c in cells] == [
        "openai-my-model-openai",
        "azure-swedencentral-gpt4o-prod-azure-v1",
        "azure-eastus2-gpt4o-prod-azure-v1",
        "azure-eastus2-o3-dev-azure-v1",
    ]
    openai, swc, eus, o3 = cells
    assert (openai.provider, openai.profile, openai.credential.kind) == ("openai", "openai", "bearer")
    assert openai.capabilities == {"text", "streaming"}
    assert openai.mcp_headers == {"Authorization": "Bearer mcp-secret-0000"}
    assert (swc.provider, swc.profile, swc.api_version, swc.endpoint) == (
        "azure", "azure", "preview", "https://swc.openai.azure.com")
    assert swc.credential.secret == "swc-secret-1234" and eus.credential.secret == "eus-secret-5678"
    assert swc.image_deployment == "gpt-image-1" and swc.model_version == "2024-11-20"
    assert swc.capabilities == capability_table().models["gpt-4o"]
    assert "mcp" not in o3.capabilities and "reasoning" in o3.capabilities


def test_secrets_stay_out_of_repr_identity_and_auth_description(tmp_path):
    cells = load_matrix(_write(tmp_path, GOOD), env=ENV)
    for cell in cells:
        shown = repr(cell) + repr(cell.identity()) + cell.auth
        assert not any(secret in shown for secret in ENV.values())
        assert set(cell.secrets()) <= set(ENV.values())
    assert cells[1].auth == "api-key from $KEY_SWC"


def test_identity_names_the_endpoint_host_only():
    cell = target_cell(endpoint="https://user:pw@res.openai.azure.com/openai/v1?sig=x", model="gpt-4o", api_key="k" * 8)
    assert cell.identity()["endpoint"] == "res.openai.azure.com"
    assert cell.api_style == "azure-v1" and cell.credential.kind == "api-key"


def test_cell_ids_are_stable_and_filesystem_safe():
    cell = target_cell(endpoint="http://127.0.0.1:8000/v1", model="meta/llama 3:70b", region="on prem",
                       api_key="key-123456", capabilities=["text,streaming"])
    assert cell.id == "openai-on_prem-meta_llama_3_70b-openai"
    assert cell.credential.kind == "bearer"  # the openai style sends keys as bearer tokens


def test_a_model_the_table_lacks_needs_its_capabilities():
    with pytest.raises(MatrixError, match=r"--model 'gw-openai' is not in the capability table .*--capabilities"):
        target_cell(endpoint="http://127.0.0.1:8000/v1", model="gw-openai", api_key="key-123456")
    cell = target_cell(endpoint="http://127.0.0.1:8000/v1", model="gw-openai", api_key="key-123456",
                       capabilities=["text, streaming", "store"])
    assert cell.capabilities == {"text", "streaming", "store"}
    known = target_cell(endpoint="http://127.0.0.1:8000/v1", model="gpt-4o", api_key="key-123456",
                        capabilities=["text"])
    assert known.capabilities == {"text"}  # given capabilities replace the table's entry
    with pytest.raises(MatrixError, match="unknown capability 'telepathy'"):
        target_cell(endpoint="http://127.0.0.1:8000/v1", model="gw-openai", api_key="k" * 8, capabilities=["telepathy"])


BAD = {
    "bad TOML": ("[[cells]\nmodel = 1", "not valid TOML"),
    "unknown top-level key": ('[target]\nendpoint = "https://x"', "unknown key 'target'"),
    "unknown cell key": (
        '[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"\nsecret_env = "KEY_SWC"\nmodle = "x"',
        "cells[0]: unknown key 'modle'",
    ),
    "unknown model": (
        '[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-5-ultra"\nsecret_env = "KEY_SWC"',
        "model 'gpt-5-ultra' is not in the capability table",
    ),
    "missing env var": (
        '[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"\nsecret_env = "NOPE_KEY"',
        "secret_env: environment variable NOPE_KEY is not set",
    ),
    "missing mcp header env var": (
        '[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"\nsecret_env = "KEY_SWC"\n'
        'mcp_headers_env = { Authorization = "NOPE" }',
        "mcp_headers_env.Authorization: environment variable NOPE is not set",
    ),
    "no secret_env": ('[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"', "secret_env must name"),
    "bad api_style": (
        '[[cells]]\nendpoint = "https://x"\nmodel = "gpt-4o"\nsecret_env = "KEY_SWC"\napi_style = "soap"',
        "api_style = 'soap' is not one of",
    ),
    "bad auth": (
        '[[cells]]\nendpoint = "https://x"\nmodel = "gpt-4o"\nauth = "basic"', "auth = 'basic' is not one of",
    ),
    "unknown capability": (
        '[[cells]]\nendpoint = "https://x"\nmodel = "m"\nsecret_env = "KEY_SWC"\ncapabilities = ["telepathy"]',
        "capabilities names unknown capability 'telepathy'",
    ),
    "missing endpoint": ('[[cells]]\nmodel = "gpt-4o"\nsecret_env = "KEY_SWC"', "missing key 'endpoint'"),
    "not a URL": ('[[cells]]\nendpoint = "swc.azure"\nmodel = "gpt-4o"\nsecret_env = "KEY_SWC"', "is not an http(s) URL"),
    "wrong type": ('[[cells]]\nendpoint = "https://x"\nmodel = 4\nsecret_env = "KEY_SWC"', "model must be a string"),
    "cells not an array": ('cells = "x"', "cells must be an array of tables"),
    "regions without deployments": ('[[regions]]\nregion = "eastus"\nendpoint = "https://x"', "needs [[deployments]]"),
    "no cell": ("[defaults]\nmodel = 'gpt-4o'", "no cell"),
    "duplicate cell": (
        '[defaults]\nsecret_env = "KEY_SWC"\nendpoint = "https://x"\n'
        '[[cells]]\nmodel = "gpt-4o"\n[[cells]]\nmodel = "gpt-4o"',
        "cells[1]: the same cell as",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_every_bad_file_is_one_line_naming_file_and_key(tmp_path, case):
    text, expected = BAD[case]
    path = _write(tmp_path, text)
    with pytest.raises(MatrixError) as caught:
        load_matrix(path, env=ENV)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_an_unreadable_file_is_a_matrix_error(tmp_path):
    with pytest.raises(MatrixError, match="cannot read"):
        load_matrix(tmp_path / "missing.toml")


def test_a_target_without_credentials_is_refused():
    with pytest.raises(MatrixError, match="no credential"):
        target_cell(endpoint="https://x.openai.azure.com", model="gpt-4o")


def test_entra_needs_no_secret(tmp_path):
    path = _write(tmp_path, '[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "o3"\nauth = "entra"')
    (cell,) = load_matrix(path, env={})
    assert cell.credential.kind == "entra" and cell.secrets() == []


# -- the capability table: facts of the Azure how-to page (../shared/reference/azure-howto-facts.md) --

TABLE = capability_table()


def _with(capability: str) -> set[str]:
    return {m for m, caps in TABLE.models.items() if capability in caps}


def test_the_table_has_the_14_documented_regions():
    assert len(TABLE.regions) == 14
    assert {"swedencentral", "eastus2", "westus3", "polandcentral", "uaenorth"} <= TABLE.regions


def test_the_table_has_the_documented_models_and_versions():
    assert set(TABLE.models) == {
        "gpt-4o", "gpt-4o-mini", "computer-use-preview", "gpt-4.1", "gpt-4.1-nano", "gpt-4.1-mini",
        "gpt-image-1", "o1", "o3-mini", "o3", "o4-mini",
    }
    assert TABLE.versions["gpt-4o"] == ("2024-11-20", "2024-08-06", "2024-05-13")
    assert TABLE.versions["o3"] == ("2025-04-16",)


def test_table_capability_names_are_known():
    assert all(caps <= CAPABILITIES for caps in TABLE.models.values())


def test_vision_and_pdf_only_for_text_and_image_models():
    assert _with("vision") == _with("pdf_input") == {"gpt-4o", "gpt-4o-mini", "o1"}


def test_reasoning_and_encrypted_reasoning_for_the_o_series():
    assert _with("reasoning") == _with("encrypted_reasoning") == {"o1", "o3-mini", "o3", "o4-mini"}


def test_image_generation_callable_from_the_documented_models():
    assert _with("image_generation") == {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3"}


def test_mcp_for_gpt_4o_gpt_4_1_and_the_reasoning_models():
    assert _with("mcp") == {"gpt-4o", "gpt-4.1", "o1", "o3-mini", "o3", "o4-mini"}


def test_computer_use_only_for_computer_use_preview_and_no_web_search():
    assert _with("computer_use") == {"computer-use-preview"}
    assert _with("web_search") == set()


def test_background_for_every_responses_model():
    assert _with("background") == set(TABLE.models) - {"gpt-image-1"}


def test_cell_is_frozen():
    cell = target_cell(endpoint="https://x.openai.azure.com", model="gpt-4o", api_key="abcdefgh")
    assert isinstance(cell, Cell)
    with pytest.raises(AttributeError):
        cell.model = "o3"  # type: ignore[misc]


def test_the_readme_matrix_example_loads(tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    env = {"AZURE_OPENAI_API_KEY": "k-swc-1234", "AOAI_EUS2_KEY": "k-eus-1234", "GATEWAY_TOKEN": "t-gw-1234",
           "MCP_AUTH_HEADER": "Bearer m-1234"}
    cells = load_matrix(_write(tmp_path, example), env=env)
    assert [c.id for c in cells] == [
        "openai-llama-3.3-70b-openai",
        "azure-swedencentral-gpt4o-prod-azure-v1",
        "azure-eastus2-gpt4o-prod-azure-v1",
        "azure-eastus2-o3-dev-azure-v1",
    ]


CELL = '[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"\nsecret_env = "KEY_SWC"\n'


def test_concurrency_is_a_key_of_any_table_and_not_part_of_the_identity(tmp_path):
    text = f'[defaults]\nconcurrency = 4\n{CELL}concurrency = 2\n[[cells]]\nendpoint = "https://y.openai.azure.com"\n' \
           'model = "gpt-4o"\nsecret_env = "KEY_SWC"\nregion = "eastus2"\n'
    own, inherited = load_matrix(_write(tmp_path, text), env=ENV)
    assert (own.concurrency, inherited.concurrency) == (2, 4)
    plain = load_matrix(_write(tmp_path, CELL), env=ENV)[0]
    assert plain.concurrency is None
    assert plain.id == own.id and plain.identity() == own.identity()  # how fast a cell runs is not what it is


@pytest.mark.parametrize("value", ["0", "-3", '"8"', "2.5", "true", "[4]"])
def test_a_bad_concurrency_is_one_line_naming_file_and_key(tmp_path, value):
    path = _write(tmp_path, f"{CELL}concurrency = {value}")
    with pytest.raises(MatrixError) as caught:
        load_matrix(path, env=ENV)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: cells[0]: concurrency must be an integer")
