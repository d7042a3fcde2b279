"""Every check the suite ships is shown to fail: some registered violation names it as its catcher."""

from __future__ import annotations

from conformance.checks import info_of
from conformance.reference.violations import VIOLATIONS
from conformance.run.runner import load_checks


def test_every_shipped_check_is_named_by_a_violation() -> None:
    shipped = {info.id for f in load_checks() if (info := info_of(f)) is not None}
    caught = {check for v in VIOLATIONS.values() for check in v.caught_by}
    assert len(shipped) >= 80
    assert sorted(shipped - caught) == []


def test_every_violation_names_only_shipped_checks() -> None:
    shipped = {info.id for f in load_checks() if (info := info_of(f)) is not None}
    unknown = {name: sorted(set(v.caught_by) - shipped) for name, v in VIOLATIONS.items() if set(v.caught_by) - shipped}
    assert unknown == {}
