"""How every report format shows a verdict: one symbol and one colour each, and the cell column label."""

from __future__ import annotations

from conformance.report.model import CellResult, Verdict

SYMBOLS = {
    Verdict.passed: "✔", Verdict.failed: "✘", Verdict.non_strict: "≈", Verdict.unsupported: "⊘",
    Verdict.not_applicable: "\u2013", Verdict.known_issue: "⚑", Verdict.skipped: "↷", Verdict.error: "⚠",
}
COLOURS = {
    Verdict.passed: "#1a7f37", Verdict.failed: "#cf222e", Verdict.non_strict: "#bf8700", Verdict.unsupported: "#0969da",
    Verdict.not_applicable: "#8c959f", Verdict.known_issue: "#8250df", Verdict.skipped: "#afb8c1", Verdict.error: "#953800",
}


def label(cell: CellResult) -> str:
    """A short column label: region and deployment, with the API style when the deployment repeats."""
    identity = cell.identity
    parts = [identity.get("region", ""), identity.get("deployment", ""), identity.get("api_style", "")]
    return " · ".join(p for p in parts if p) or cell.id
