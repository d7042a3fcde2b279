"""From a check and a cell to a verdict: applicability before the body runs, the body's outcome after it.

The runner and the pytest plugin both decide here (``applicability``, ``verdict_of``, ``stop_reason``) and
both turn the verdict into a report entry with ``check_result``.
"""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from conformance.checks import (
    CheckInfo,
    ContractViolation,
    HarnessError,
    NonStrict,
    NotApplicable,
    Skipped,
    Unsupported,
)
from conformance.client import BudgetExhausted, Secrets
from conformance.contract.violations import Finding, Violation
from conformance.matrix import Cell
from conformance.report.model import CheckResult, Verdict

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class Outcome:
    """A verdict with its one-line reason (and the known issue's link)."""

    verdict: Verdict
    reason: str = ""
    link: str | None = None


@dataclass(frozen=True)
class KnownIssue:
    """A documented expected failure: check-ID globs, the profiles it holds for, why, and where it is written."""

    checks: tuple[str, ...]
    profiles: tuple[str, ...]
    reason: str
    link: str
    recordings: tuple[str, ...] = ()  # real recordings that show it (../shared/reference/recordings)

    def matches(self, check_id: str, profile: str) -> bool:
        """Whether a failure of ``check_id`` in a cell of ``profile`` is this issue."""
        return profile in self.profiles and any(fnmatch.fnmatchcase(check_id, g) for g in self.checks)


def load_known_issues(path: str | Path | None = None) -> list[KnownIssue]:
    """Read a known-issues TOML file (the built-in ``conformance/data/known-issues.toml`` by default)."""
    if path is None:
        return list(_builtin_known_issues())
    return _parse_issues(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _builtin_known_issues() -> tuple[KnownIssue, ...]:
    text = resources.files("conformance").joinpath("data/known-issues.toml").read_text("utf-8")
    return tuple(_parse_issues(text))


def _parse_issues(text: str) -> list[KnownIssue]:
    return [
        KnownIssue(tuple(i["checks"]), tuple(i["profiles"]), i["reason"], i["link"],
                   tuple(i.get("recordings", ())))
        for i in tomllib.loads(text).get("issues", [])
    ]


def applicability(info: CheckInfo, cell: Cell) -> Outcome | None:
    """The verdict that drops the check in the cell before it runs (profile ∩ capabilities ∩ given), or None."""
    if info.profiles is not None and cell.profile not in info.profiles:
        return Outcome(Verdict.not_applicable, f"profile {cell.profile} is not one of {', '.join(sorted(info.profiles))}")
    missing = sorted(info.requires - cell.capabilities)
    if missing:
        return Outcome(Verdict.not_applicable, f"model {cell.model} lacks {', '.join(missing)} (capability table)")
    if cell.mode == "live" and "mcp" in info.requires and not cell.mcp_url:
        return Outcome(Verdict.skipped, "no public MCP server URL (--mcp-url)")
    if (cell.mode == "live" and cell.provider == "azure" and "image_generation" in info.requires
            and not cell.image_deployment):
        return Outcome(Verdict.skipped, "no gpt-image-1 deployment (--image-deployment)")
    return None


INTERRUPTED = "interrupted (Ctrl-C)"
PREFLIGHT = "preflight failed"  # the reason of every check of a cell whose target could not be judged at all
BUDGET_SPENT = "budget spent"


def verdict_of(
    error: BaseException | None,
    info: CheckInfo,
    cell: Cell,
    strict_only: Iterable[Violation] = (),
    known_issues: Iterable[KnownIssue] = (),
    findings: Iterable[Finding] = (),
) -> Outcome:
    """The verdict of a check body that returned (``error`` None) or raised ``error`` (anything, Ctrl-C too).

    ``strict_only`` are the violations of the rules the check owns that only strict mode rejects;
    ``findings`` every violation its judge saw: a body that broke down on a non-conforming payload could not
    judge its sentence (``error``, naming the finding).
    """
    if error is None:
        found = list(strict_only)
        return Outcome(Verdict.non_strict, one_line(str(found[0]))) if found else Outcome(Verdict.passed)
    if isinstance(error, AssertionError):
        reason = _violation_line(error) if isinstance(error, ContractViolation) else one_line(str(error))
        reason = reason or "assertion failed"
        for issue in known_issues:
            if issue.matches(info.id, cell.profile):
                return Outcome(Verdict.known_issue, f"{issue.reason} (observed: {reason})", issue.link)
        return Outcome(Verdict.failed, reason)
    if isinstance(error, BudgetExhausted):
        return Outcome(Verdict.error, f"{BUDGET_SPENT}: {one_line(str(error))}")
    if isinstance(error, KeyboardInterrupt):
        return Outcome(Verdict.error, INTERRUPTED)
    if isinstance(error, SystemExit | GeneratorExit):
        return Outcome(Verdict.error, f"{type(error).__name__} raised by the check")
    simple = {
        NonStrict: Verdict.non_strict, NotApplicable: Verdict.not_applicable, Unsupported: Verdict.unsupported,
        Skipped: Verdict.skipped, HarnessError: Verdict.error,
    }
    for kind, verdict in simple.items():
        if isinstance(error, kind):
            return Outcome(verdict, one_line(str(error)) or kind.__name__)
    crash = f"{type(error).__name__}: {one_line(str(error))}".rstrip(": ")
    broken = next((f for f in findings if not f.strict), None)
    if broken is not None:
        return Outcome(Verdict.error, one_line(f"not judged: the target's payload breaks the contract ({broken}); "
                                               f"the check then stopped on {crash}"))
    return Outcome(Verdict.error, crash)


def stop_reason(error: BaseException | None) -> str | None:
    """Why the whole run stops after a check raised ``error`` (the budget is spent, Ctrl-C), or None."""
    if isinstance(error, BudgetExhausted):
        return BUDGET_SPENT
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED
    return None


def check_result(
    info: CheckInfo,
    outcome: Outcome,
    duration: float = 0.0,
    evidence: Sequence[dict[str, Any]] = (),
    secrets: Secrets | None = None,
    findings: Iterable[Finding] = (),
) -> CheckResult:
    """The report entry of a verdict: the reason scrubbed of ``secrets``, the findings (each root cause
    once), and the wire log unless it passed without a finding."""
    attempts = sum(max(1, len(e.get("attempts") or [])) for e in evidence)
    seen: dict[tuple[str, ...], Finding] = {}
    for finding in findings:
        seen.setdefault(finding.key, _scrubbed(finding, secrets))
    keep = outcome.verdict is not Verdict.passed or bool(seen)
    return CheckResult(
        check=info.id, verdict=outcome.verdict, level=info.level.value,
        reason=secrets.scrub(outcome.reason) if secrets is not None else outcome.reason,
        duration_s=round(duration, 3), attempts=attempts, link=outcome.link, requests=len(evidence),
        evidence=list(evidence) if keep else [], findings=list(seen.values()),
    )


def _scrubbed(finding: Finding, secrets: Secrets | None) -> Finding:
    """The finding with every secret the run knows taken out of what it quotes."""
    if secrets is None:
        return finding
    return replace(finding, message=secrets.scrub(finding.message), pointer=secrets.scrub(finding.pointer),
                   expected=secrets.scrub(finding.expected) if finding.expected is not None else None,
                   found=secrets.scrub(finding.found) if finding.found is not None else None)


def _violation_line(error: ContractViolation) -> str:
    parts = [error.title]
    if error.expected is not None:
        parts.append(f"expected {error.expected}")
    if error.actual is not None:
        parts.append(f"actual {error.actual}")
    if error.violations:
        parts.append(str(error.violations[0]))
    return one_line(" / ".join(one_line(p) for p in parts))


def one_line(text: str, limit: int = 300) -> str:
    """The first non-empty line of ``text``, at most ``limit`` characters."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
