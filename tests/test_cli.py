"""The command line, through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conformance.cli import app

runner = CliRunner()

CALL = {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": "{}"}
DELTA = {
    "type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_1",
    "output_index": 0, "content_index": 0, "delta": "Hi",
}


def test_validate_valid_event_file(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(DELTA))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid (event" in result.output


def test_validate_invalid_event_exits_1_with_rule_and_pointer(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({**DELTA, "output_index": "zero"}))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    assert "[schema.type]" in result.output and "/output_index" in result.output


def test_validate_unreadable_exits_2_one_line(tmp_path):
    good = tmp_path / "a.json"
    good.write_text(json.dumps(DELTA))
    bad = tmp_path / "b.json"
    bad.write_text("{not json")
    result = runner.invoke(app, ["validate", str(good), str(bad), str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert lines[0].endswith("openai compat)") and "unreadable" in lines[1] and "unreadable" in lines[2]


def test_validate_json_lines(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({key: value for key, value in DELTA.items() if key != "sequence_number"}))
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    record = json.loads(result.output)
    assert record["valid"] is False
    assert record["violations"][0]["rule"] == "schema.required"
    assert record["violations"][0]["pointer"] == "/sequence_number"


def test_validate_strict_rejects_undeclared_field(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps({**DELTA, "surprise": True}))
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    result = runner.invoke(app, ["validate", "--strict", str(path)])
    assert result.exit_code == 1 and "[schema.undeclared]" in result.output


def test_validate_folder_expands_to_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.json").write_text(json.dumps(DELTA))
    (tmp_path / "two.json").write_text(json.dumps(DELTA))
    (tmp_path / "notes.md").write_text("ignored")
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output.count("valid (") == 2


def test_validate_unknown_kind_of_object_is_unreadable(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"hello": "world"}))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "--kind" in result.output


def test_checks_lists_unique_rule_ids():
    result = runner.invoke(app, ["checks", "--json"])
    assert result.exit_code == 0
    rules = json.loads(result.output)
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    assert {"schema.required", "schema.type", "schema.enum"} <= set(ids)
    assert all(r["level"] in ("MUST", "SHOULD", "MAY") and r["sentence"] and r["spec"] for r in rules)
    retired = {r["id"]: r for r in rules if r["area"] == "retired"}
    assert retired["chaining.input_items.only_new_input"]["retired"] == "0.2.0"


def test_checks_lists_the_retired_checks():
    result = runner.invoke(app, ["checks"])
    assert "retired check streaming.keepalive.absent (since 0.1.0, retired in 0.2.0" in result.output


def test_run_help_names_the_default_target():
    result = runner.invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "reference server" in " ".join(result.output.split())


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("responses-conformance ")


def test_validate_response_checks_invariants_too(tmp_path):
    response = {
        "id": "resp_1", "object": "response", "created_at": 1, "status": "completed", "model": "m",
        "output": [], "usage": {"input_tokens": 2, "output_tokens": 3, "total_tokens": 6},
    }
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1 and "[invariant.usage.totals]" in result.output
    response["usage"]["total_tokens"] = 5
    path.write_text(json.dumps(response))
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_validate_resumed_stream(tmp_path):
    path = tmp_path / "resumed.sse"
    path.write_text(f"event: response.output_text.delta\ndata: {json.dumps(DELTA)}\n\n")
    fresh = runner.invoke(app, ["validate", str(path)])
    assert fresh.exit_code == 1 and "[stream.sequence.start]" in fresh.output
    resumed = runner.invoke(app, ["validate", "--starting-after", "3", str(path)])
    assert "[stream.sequence.start]" not in resumed.output
