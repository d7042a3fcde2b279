"""``responses-conformance run``: the embedded reference servers, report.json, exit codes, bad input."""

from __future__ import annotations

import pkgutil
import sys

import orjson
import pytest
from typer.testing import CliRunner

import conformance.checks
from conformance.checks import ContractViolation, check
from conformance.cli import app
from conformance.contract.rules import Level
from conformance.run import runner as runner_module

cli = CliRunner()
ENV_VARS = ("AZURE_OPENAI_ENDPOINT", "OPENAI_BASE_URL", "AZURE_OPENAI_API_KEY", "OPENAI_API_KEY", "OPENAI_API_VERSION",
            "RC_CONFIG", "RC_TIER", "RC_OUT", "RC_JOBS", "RC_MCP_URL", "RC_CONCURRENCY", "RC_MODE", "RC_CASSETTES")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def _use(monkeypatch, *checks):
    monkeypatch.setattr(runner_module, "load_checks", lambda extra=(): list(checks))


def _fake(registry, *, fail_level: Level | None = None):
    @check("fake.create", spec="t", requires=["text"])
    def create(client, judge):
        """A created response conforms."""
        answer = client.create({"input": "hello"})
        judge.response(answer.json_or_none)

    @check("fake.mcp", spec="t", requires=["mcp"])
    def mcp_url(mcp):
        """The local MCP server is given."""
        assert mcp.url.startswith("http://127.0.0.1:")

    checks = [create, mcp_url]
    if fail_level is not None:
        @check("fake.fails", spec="t", level=fail_level)
        def fails(cell):
            """Always fails."""
            raise ContractViolation("planted failure")

        checks.append(fails)
    return checks


def test_run_without_a_target_judges_both_reference_flavours(registry, monkeypatch, tmp_path):
    _use(monkeypatch, *_fake(registry))
    result = cli.invoke(app, ["run", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = orjson.loads((tmp_path / "report.json").read_bytes())
    assert [(c["api_style"], c["profile"]) for c in document["cells"]] == [("azure-v1", "azure"), ("openai", "openai")]
    verdicts = {(c["id"], r["check"]): r["verdict"] for c in document["cells"] for r in c["results"]}
    assert set(verdicts.values()) == {"passed"}, verdicts
    assert document["cleanup_failures"] == [] and document["partial"] is False
    assert "report.json" in result.stdout


@pytest.mark.parametrize(
    ("level", "fail_on", "code"),
    [
        (Level.MUST, "must", 1), (Level.MUST, "never", 0), (Level.SHOULD, "must", 0), (Level.SHOULD, "should", 1),
        (Level.MAY, "should", 0),
    ],
)
def test_exit_code_follows_fail_on(registry, monkeypatch, tmp_path, level, fail_on, code):
    _use(monkeypatch, *_fake(registry, fail_level=level))
    result = cli.invoke(app, ["run", "--out", str(tmp_path), "--fail-on", fail_on, "--only", "fake.fails"])
    assert result.exit_code == code, result.output


def test_a_bad_matrix_file_is_exit_2_in_one_line_and_the_old_report_survives(tmp_path):
    old = tmp_path / "out" / "report.json"
    old.parent.mkdir()
    old.write_text("old report")
    matrix = tmp_path / "matrix.toml"
    matrix.write_text('[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"\nsecret_env = "NOT_SET_X"\n')
    result = cli.invoke(app, ["run", "--config", str(matrix), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "NOT_SET_X" in result.output and "Traceback" not in result.output
    assert old.read_text() == "old report"


def test_an_endpoint_without_a_model_is_bad_usage():
    result = cli.invoke(app, ["run", "--endpoint", "https://x.openai.azure.com", "--api-key", "k" * 10])
    assert result.exit_code == 2


def test_an_unknown_model_without_capabilities_is_exit_2_in_one_line(tmp_path):
    argv = ["run", "--endpoint", "http://127.0.0.1:9/v1", "--model", "gw-openai", "--api-key", "k" * 10,
            "--out", str(tmp_path)]
    result = cli.invoke(app, argv)
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0, result.output
    assert "'gw-openai' is not in the capability table" in result.output and "--capabilities" in result.output
    assert not (tmp_path / "report.json").exists()


def test_capabilities_belong_to_the_endpoint_not_to_a_matrix_file(tmp_path):
    matrix = tmp_path / "matrix.toml"
    matrix.write_text('[[cells]]\nendpoint = "https://x.openai.azure.com"\nmodel = "gpt-4o"\nsecret_env = "X"\n')
    result = cli.invoke(app, ["run", "--config", str(matrix), "--capabilities", "text", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--capabilities is for --endpoint" in result.output, result.output


def test_a_bad_option_is_exit_2():
    assert cli.invoke(app, ["run", "--tier", "everything"]).exit_code == 2


def test_a_planted_secret_appears_in_no_output(registry, monkeypatch, tmp_path):
    secret = "sk-planted-cli-secret-31337"
    argv = ["run", "--endpoint", "http://127.0.0.1:9/v1", "--api-style", "openai", "--model", "gpt-4o",
            "--api-key", secret, "--out", str(tmp_path), "--only", "fake.create"]
    monkeypatch.setattr(sys, "argv", ["responses-conformance", *argv])
    _use(monkeypatch, *_fake(registry))
    result = cli.invoke(app, argv)
    assert result.exit_code == 2, result.output  # unreachable: the preflight says so once, no cell could run
    assert "error: cell openai-gpt-4o-openai: preflight failed: the target cannot be reached" in result.output
    text = (tmp_path / "report.json").read_text()
    document = orjson.loads(text)
    assert document["cells"][0]["results"][0]["verdict"] == "error"
    assert secret not in text and secret not in result.output
    assert "<redacted>" in document["command"]


def _real_checks_exist() -> bool:
    return any(m.name.startswith("test_") for m in pkgutil.iter_modules(conformance.checks.__path__))


@pytest.mark.skipif(not _real_checks_exist(), reason="conformance/checks has no test_*.py check module yet")
def test_the_real_suite_passes_against_the_embedded_reference_server(tmp_path):
    result = cli.invoke(app, ["run", "--out", str(tmp_path), "--jobs", "2"])
    document = orjson.loads((tmp_path / "report.json").read_bytes())
    bad = [(c["id"], r["check"], r["verdict"], r["reason"]) for c in document["cells"] for r in c["results"]
           if r["verdict"] not in ("passed", "not_applicable", "known_issue")]
    assert bad == []
    assert result.exit_code == 0
    assert document["cleanup_failures"] == []


def test_an_unwritable_out_folder_is_exit_2(registry, monkeypatch, tmp_path):
    _use(monkeypatch, *_fake(registry))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = cli.invoke(app, ["run", "--out", str(blocker / "sub"), "--only", "fake.mcp"])
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.skipif(not _real_checks_exist(), reason="conformance/checks has no test_*.py check module yet")
def test_no_file_is_left_on_the_reference_servers_after_a_run():
    import httpx

    from conformance.run.embedded import embedded_targets
    from conformance.run.runner import run_suite

    with embedded_targets() as run:
        report = run_suite(run.cells, only=["files.*"], mcp_seen={run.mcp_url: run.mcp_seen})
        assert report.cleanup_failures == []
        assert any(r.check.startswith("files.") for c in report.cells for r in c.results)
        for cell in run.cells:
            base = cell.endpoint + ("/openai/v1" if cell.api_style == "azure-v1" else "")
            params = {"api-version": "preview"} if cell.api_style == "azure-v1" else {}
            listed = httpx.get(f"{base}/files", params=params,
                               headers={"Authorization": f"Bearer {cell.credential.secret}"})
            assert listed.status_code == 200 and listed.json()["data"] == [], listed.text


@pytest.mark.skipif(not _real_checks_exist(), reason="conformance/checks has no test_*.py check module yet")
def test_sigint_stops_the_run_cleans_up_and_writes_a_partial_report(tmp_path):
    import signal
    import subprocess
    import time

    process = subprocess.Popen([sys.executable, "-m", "conformance.cli", "run", "--out", str(tmp_path), "--jobs", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    report = tmp_path / "report.json"
    time.sleep(8)  # the reference servers start in child processes first (~2 s), then the suite runs (~50 s)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    document = orjson.loads(report.read_bytes())
    assert document["partial"] is True and document["partial_reason"] == "interrupted (Ctrl-C)"
    assert document["cleanup_failures"] == []
    assert "Traceback" not in err and "partial report" in out


def test_checks_from_a_module_join_the_run(monkeypatch, tmp_path):
    from conformance.checks import registry
    from conformance.run.runner import load_checks

    load_checks()  # the suite's modules register in the real registry, which the copy below starts from
    monkeypatch.setattr("conformance.checks._check.REGISTRY", dict(registry()))
    (tmp_path / "rc_user_checks.py").write_text(
        "from conformance.checks import check\n\n\n"
        "@check('mine.hello', spec='t')\n"
        "def hello(cell):\n"
        "    '''Mine.'''\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    result = cli.invoke(app, ["run", "--checks-from", "rc_user_checks", "--only", "mine.*", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    document = orjson.loads((tmp_path / "o" / "report.json").read_bytes())
    assert [[r["check"] for r in c["results"]] for c in document["cells"]] == [["mine.hello"], ["mine.hello"]]
    missing = cli.invoke(app, ["run", "--checks-from", "no_such_module_rc", "--out", str(tmp_path / "o")])
    assert missing.exit_code == 2 and "no module named 'no_such_module_rc'" in missing.output
