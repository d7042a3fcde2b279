"""schemas/openapi.json: assembled from the JSON Schemas, in sync with them, and readable by schemathesis."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis

from conformance.contract import _openapi
from conformance.contract._catalog import schema_files

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
DOCUMENT: dict[str, Any] = json.loads((SCHEMAS / "openapi.json").read_text(encoding="utf-8"))
OPERATIONS = {op["operationId"]: op for path in DOCUMENT["paths"].values() for op in path.values()}


def test_the_committed_document_is_the_regenerated_one() -> None:
    assert (SCHEMAS / "openapi.json").read_text(encoding="utf-8") == _openapi.render(SCHEMAS), (
        "run python -m conformance.contract._openapi"
    )
    assert _openapi.main(["--check"]) == 0


def test_every_schema_file_is_a_component_and_every_ref_resolves() -> None:
    components = DOCUMENT["components"]["schemas"]
    assert set(components) == {_openapi.component_name(rel) for rel in schema_files(SCHEMAS)}
    refs = [m for m in json.dumps(DOCUMENT).split('"$ref": "')[1:]]
    for ref in (r.split('"', 1)[0] for r in refs):
        node: Any = DOCUMENT
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        assert isinstance(node, dict), ref


@pytest.mark.parametrize(("path", "methods"), [
    ("/responses", {"post"}), ("/responses/{response_id}", {"get", "delete"}),
    ("/responses/{response_id}/cancel", {"post"}), ("/responses/{response_id}/input_items", {"get"}),
    ("/responses/input_tokens", {"post"}), ("/responses/compact", {"post"}),
    ("/files", {"get", "post"}), ("/files/{file_id}", {"get", "delete"}), ("/files/{file_id}/content", {"get"}),
])
def test_every_endpoint_has_its_operations_with_an_error_schema(path: str, methods: set[str]) -> None:
    assert set(DOCUMENT["paths"][path]) == methods
    for operation in DOCUMENT["paths"][path].values():
        answers = operation["responses"]
        assert "200" in answers and "500" in answers
        assert all(a["content"]["application/json"]["schema"]["$ref"].endswith("error_envelope")
                   for status, a in answers.items() if status != "200")


def test_the_stream_is_described_per_event() -> None:
    item = DOCUMENT["paths"]["/responses"]["post"]["responses"]["200"]["content"]["text/event-stream"]["itemSchema"]
    named = {b["properties"]["event"]["const"]: b["properties"]["data"] for b in item["anyOf"]}
    events = [rel for rel in schema_files(SCHEMAS) if rel.startswith("events/") and rel != "events/error.json"]
    assert {"response.created", "response.output_text.delta", "keepalive", "error"} <= set(named)
    assert len(named) >= len(events)
    assert all(d["contentMediaType"] == "application/json" and "$ref" in d["contentSchema"] for d in named.values())


def test_links_follow_create_to_retrieve_input_items_cancel_and_delete() -> None:
    created = OPERATIONS["createResponse"]["responses"]["200"]["links"]
    deleted = OPERATIONS["deleteResponse"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in created.values()} == {
        "getResponse", "listInputItems", "cancelResponse", "deleteResponse"}
    assert {link["operationId"] for link in deleted.values()} == {"getResponse", "listInputItems", "deleteResponse"}
    for link in [*created.values(), *deleted.values()]:
        assert link["parameters"] == {"response_id": "$response.body#/id"}


def test_schemathesis_loads_it_and_builds_a_state_machine() -> None:
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    assert {op.definition.raw["operationId"] for op in (r.ok() for r in schema.get_all_operations())} == set(OPERATIONS)
    assert schema.as_state_machine() is not None


def test_check_reports_a_stale_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, root)
    (root / "items" / "function_call.json").write_text(
        (SCHEMAS / "items" / "function_call.json").read_text(encoding="utf-8").replace('"title": "', '"title": "New ', 1),
        encoding="utf-8")
    assert _openapi.main(["--check", "--root", str(root)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert _openapi.main(["--root", str(root)]) == 0
    assert _openapi.main(["--check", "--root", str(root)]) == 0
