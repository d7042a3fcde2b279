"""Retired checks keep their IDs for good: listed with version and reason, never reused by a live check."""

from __future__ import annotations

import pytest

from conformance.checks import check, registry
from conformance.checks._retired import retired_checks
from conformance.run.runner import load_checks


def test_no_live_check_reuses_a_retired_id() -> None:
    load_checks()
    assert retired_checks(), "the retired list is empty"
    assert sorted(set(retired_checks()) & set(registry())) == []


def test_every_retired_check_says_when_why_and_what_replaces_it() -> None:
    load_checks()
    for retired in retired_checks().values():
        assert retired.level in ("MUST", "SHOULD", "MAY") and retired.sentence.endswith(".")
        assert retired.since < retired.retired and retired.reason.strip() and retired.source.strip()
        assert set(retired.replaced_by) <= set(registry()), retired.replaced_by


def test_registering_a_retired_id_is_refused() -> None:
    def again() -> None:
        """A check MUST NOT come back under a retired ID."""

    with pytest.raises(ValueError, match="is retired"):
        check("chaining.input_items.only_new_input", spec="-")(again)
