"""Helpers of the check tests: which violations a feature's checks catch, and the two assertions on verdicts."""

from __future__ import annotations

from collections.abc import Callable

from conformance.reference.violations import VIOLATIONS
from conformance.report.model import CheckResult

Verdicts = Callable[..., dict[str, CheckResult]]


def violations_of(*features: str) -> list[str]:
    """The names of the registered violations caught by checks of these features (``functions``, ...)."""
    return sorted(n for n, v in VIOLATIONS.items() if any(c.split(".", 1)[0] in features for c in v.caught_by))


def assert_caught(verdicts: Verdicts, name: str) -> None:
    """Every check a violation names as its catcher is ``failed`` against a server committing it."""
    caught_by = list(VIOLATIONS[name].caught_by)
    got = verdicts(caught_by, [name])
    assert set(got) == set(caught_by), f"{name}: checks not run: {set(caught_by) - set(got)}"
    missed = {c: f"{r.verdict.value}: {r.reason}" for c, r in got.items() if r.verdict.value != "failed"}
    assert not missed, f"{name} was not caught: {missed}"


def assert_faithful(
    verdicts: Verdicts, only: list[str], flavor: str, allowed: dict[str, str] | None = None, model: str | None = None
) -> None:
    """Every selected check passes against the faithful server (or has the verdict ``allowed`` names for it)."""
    got = verdicts(only, flavor=flavor, **({"model": model} if model else {}))
    assert got, f"no check matches {only}"
    allowed = allowed or {}
    wrong = {
        c: f"{r.verdict.value}: {r.reason}" for c, r in got.items() if r.verdict.value != allowed.get(c, "passed")
    }
    assert not wrong, wrong
