"""The report model: verdicts, per-check results, per-cell results and the run. No pytest object reaches it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from conformance.contract import rules
from conformance.contract.violations import Finding
from conformance.identity import identity_key

FORMAT_VERSION = "3"  # 3: findings; 2: evidence by reference (a top-level list), the checks catalogue
READS = ("1", "2", "3")  # every format version report.json had: the report commands read them all


class Verdict(str, Enum):
    """The verdict of one check in one cell (DESIGN.md, "verdict")."""

    passed = "passed"
    failed = "failed"
    non_strict = "non_strict"
    unsupported = "unsupported"
    not_applicable = "not_applicable"
    known_issue = "known_issue"
    skipped = "skipped"
    error = "error"


@dataclass
class CheckResult:
    """One check's verdict in one cell, with its one-line reason and the redacted evidence."""

    check: str
    verdict: Verdict
    level: str
    reason: str
    duration_s: float
    attempts: int  # HTTP attempts, retries included
    evidence: list[dict[str, Any]] = field(default_factory=list)
    link: str | None = None
    requests: int = 0  # HTTP requests the check made; attempts > requests means some were retried
    findings: list[Finding] = field(default_factory=list)  # the violations seen on the way, each root cause once

    @property
    def feature(self) -> str:
        """The feature: the first segment of the check ID."""
        return self.check.split(".", 1)[0]


@dataclass
class CellResult:
    """A cell's identity (``Cell.identity()``) and the results of its checks in ID order."""

    identity: dict[str, str]
    results: list[CheckResult] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The cell's stable ID."""
        return self.identity["id"]

    @property
    def key(self) -> tuple[str, ...]:
        """The cell's whole identity: what makes it the same cell in another report (``identity_key``)."""
        return identity_key(self.identity)


@dataclass
class Report:
    """A run: its identity, every cell's results, what could not be cleaned up, and whether it is partial."""

    tool_version: str
    started_at: str
    finished_at: str
    mode: str
    command: list[str]
    cells: list[CellResult] = field(default_factory=list)
    cleanup_failures: list[str] = field(default_factory=list)
    partial: bool = False
    partial_reason: str = ""
    checks: dict[str, dict[str, str]] = field(default_factory=dict)  # check ID -> sentence, spec, tier, since
    format_version: str = FORMAT_VERSION

    @property
    def findings(self) -> list[RunFinding]:
        """Every root cause the run saw, once, with the checks and cells that saw it: compat before strict-only,
        MUST before SHOULD, then by rule and place."""
        found: dict[tuple[str, ...], RunFinding] = {}
        for cell in self.cells:
            for result in cell.results:
                for finding in result.findings:
                    entry = found.setdefault(finding.key, RunFinding(finding, [], [], result))
                    entry.add(result.check, cell.id)
        return sorted(found.values(), key=lambda f: (f.finding.strict, f.level != "MUST", f.finding.key))

    @property
    def summary(self) -> dict[str, dict[str, Any]]:
        """Counts per verdict, per cell (by ID) and per feature."""
        results = [r for c in self.cells for r in c.results]
        return {
            "verdicts": _count(results),
            "cells": {c.id: _count(c.results) for c in self.cells},
            "features": {f: _count([r for r in results if r.feature == f]) for f in sorted({r.feature for r in results})},
        }


@dataclass
class RunFinding:
    """A root cause across the run: the finding, the checks and cells that saw it, the first result that did."""

    finding: Finding
    checks: list[str]
    cells: list[str]
    first: CheckResult  # its evidence is the finding's evidence

    @property
    def id(self) -> str:
        return self.finding.id

    @property
    def level(self) -> str:
        """The rule's level (MUST, SHOULD, MAY); a rule this version does not know counts as MUST."""
        known = rules.known(self.finding.rule)
        return known.level.value if known is not None else "MUST"

    @property
    def spec(self) -> str:
        known = rules.known(self.finding.rule)
        return known.spec if known is not None else ""

    def add(self, check: str, cell: str) -> None:
        if check not in self.checks:
            self.checks.append(check)
        if cell not in self.cells:
            self.cells.append(cell)


def _count(results: list[CheckResult]) -> dict[str, int]:
    counts = Counter(r.verdict for r in results)
    return {v.value: counts.get(v, 0) for v in Verdict}
