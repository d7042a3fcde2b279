"""report.json validates against the published schemas/report.schema.json, from a library run and from `run`."""

from __future__ import annotations

import copy
import io

import orjson
from reportkit import FAILING, KEY
from typer.testing import CliRunner

from conformance.cli import app
from conformance.report.json import read_json, to_dict, write_json
from conformance.report.model import Report, Verdict
from conformance.report.render import WRITERS
from conformance.report.schema import report_errors


def test_the_sample_run_has_its_planted_failure_with_evidence(sample_report: Report):
    verdicts = {(c.identity["region"], r.check): r for c in sample_report.cells for r in c.results}
    failing = verdicts.pop(FAILING)
    assert failing.verdict is Verdict.failed and failing.evidence and failing.evidence[0]["events"]
    assert {r.verdict for r in verdicts.values()} == {Verdict.passed}


def test_report_json_validates_and_keeps_evidence_by_reference(sample_report: Report):
    out = io.StringIO()
    write_json(sample_report, out)
    document = orjson.loads(out.getvalue())
    assert report_errors(document) == []
    assert KEY not in out.getvalue()
    results = [r for c in document["cells"] for r in c["results"]]
    referenced = [r["evidence"] for r in results if r["evidence"] is not None]
    assert referenced == list(range(len(document["evidence"]))) and referenced
    assert set(document["checks"]) == {r["check"] for r in results}
    assert all(entry["sentence"] and entry["spec"] for entry in document["checks"].values())


def test_no_format_shows_the_key(sample_report: Report):
    for name, writer in WRITERS.items():
        out = io.StringIO()
        writer(sample_report, out)
        assert KEY not in out.getvalue(), name
        assert "redacted" in out.getvalue() or name == "junit", name  # the command line and the wire log


def test_a_broken_report_does_not_validate(sample_report: Report):
    document = copy.deepcopy(to_dict(sample_report))
    document["cells"][0]["results"][0]["verdict"] = "maybe"
    del document["cells"][1]["region"]
    errors = report_errors(document)
    assert len(errors) == 2 and errors[0].startswith("cells/0/results/0/verdict: 'maybe'"), errors


def test_every_run_writes_four_formats_and_a_valid_report_json(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["run", "--only", "lifecycle.create.returns_response", "--out", str(out), "--sdk", "openai-python 3.57.0"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "report.html", "report.json", "report.md"]
    document = orjson.loads((out / "report.json").read_bytes())
    assert report_errors(document) == []
    assert [c["sdk"] for c in document["cells"]] == ["openai-python 3.57.0"] * 2
    assert read_json(out / "report.json").cells[0].identity["sdk"] == "openai-python 3.57.0"
