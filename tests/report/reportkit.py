"""A small hand-made report (fixed times and durations) for snapshot tests, and the sample run's constants."""

from __future__ import annotations

from conformance.contract.violations import Finding
from conformance.report.model import CellResult, CheckResult, Report, Verdict

KEY = "report-test-key-0042"  # the reference servers' key in the sample run (conftest.py)
ONLY = ["streaming.text.conforms", "lifecycle.create.returns_response", "errors.auth.missing_key"]
FAILING = ("eastus", "streaming.text.conforms")  # the (region, check) the sample run's violation makes fail


def identity(region: str, style: str) -> dict[str, str]:
    deployment = "gpt4o"
    return {
        "id": f"azure-{region}-{deployment}-{style}", "provider": "azure", "region": region, "deployment": deployment,
        "model": "gpt-4o", "model_version": "2024-11-20", "api_style": style, "api_version": "preview",
        "endpoint": f"{region}.openai.azure.com", "profile": "azure", "mode": "live", "auth": "api-key from $KEY",
    }


STREAM = [
    {
        "method": "POST", "url": "https://swc.openai.azure.com/openai/v1/responses?api-version=preview", "status": 200,
        "request_headers": {"api-key": "<redacted>"}, "request_body": {"model": "gpt4o", "stream": True},
        "response_headers": {"content-type": "text/event-stream"},
        "events": [
            {"event": "response.created", "data": {"type": "response.created", "sequence_number": 0}},
            {"event": "response.output_text.delta", "data": {"type": "response.output_text.delta", "sequence_number": 2}},
        ],
        "attempts": [{"status": 200, "wait_s": None}], "duration_s": 0.5,
    }
]


GAP = Finding("stream.sequence.contiguous", "stream", "/sequence_number", "sequence_number 2 follows 0",
              "1", "2 <b>")
COST = Finding("schema.undeclared", "response", "/usage", "Additional properties are not allowed ('cost' was unexpected)",
               "only declared properties", "cost", strict=True)


def small_report() -> Report:
    """Two cells, three checks; one failure with an SSE wire log, one error, one known issue; two findings, one
    of them seen in both cells."""
    first = [
        CheckResult("stream.sequence.contiguous", Verdict.failed, "MUST", "sequence 1 missing <script>x</script> | y",
                    0.5, 1, STREAM, requests=1, findings=[GAP, COST]),
        CheckResult("lifecycle.create.returns_response", Verdict.passed, "MUST", "", 0.25, 1, requests=1),
        CheckResult("files.purpose.user_data", Verdict.known_issue, "SHOULD", "documented", 0.1, 1,
                    link="https://learn.microsoft.com/x"),
    ]
    second = [
        CheckResult("stream.sequence.contiguous", Verdict.passed, "MUST", "", 0.5, 1, STREAM, requests=1,
                    findings=[COST]),
        CheckResult("lifecycle.create.returns_response", Verdict.error, "MUST", "429 after 3 attempts", 2.0, 3, requests=1),
        CheckResult("files.purpose.user_data", Verdict.not_applicable, "SHOULD", "profile openai", 0.0, 0),
    ]
    checks = {
        "stream.sequence.contiguous": {"sentence": "Sequence numbers MUST be contiguous.", "spec": "spec#seq", "tier": "smoke", "since": "0.1.0"},
        "lifecycle.create.returns_response": {"sentence": "Create MUST return a response.", "spec": "spec#create", "tier": "smoke", "since": "0.1.0"},
        "files.purpose.user_data": {"sentence": "user_data uploads SHOULD be accepted.", "spec": "spec#files", "tier": "core", "since": "0.1.0"},
    }
    return Report(
        tool_version="0.1.0", started_at="2026-11-27T06:00:00Z", finished_at="2026-11-27T06:01:00Z", mode="live",
        command=["responses-conformance", "run"],
        cells=[CellResult(identity("swedencentral", "azure-v1"), first), CellResult(identity("eastus", "azure-v1"), second)],
        checks=checks,
    )
