"""One object of a top-level kind judged whole: its schema, and for a response the invariants across its parts."""

from __future__ import annotations

from typing import Any

from conformance.contract.invariants import check_response
from conformance.contract.validate import ContractValidator
from conformance.contract.violations import Violation


def check_object(obj: Any, kind: str, validator: ContractValidator) -> list[Violation]:
    """The violations of ``obj`` as a ``kind`` (``response``, ``error``, ...); a response gets its invariants too."""
    found = validator.validate(obj, kind)
    if kind == "response" and isinstance(obj, dict):
        found += check_response(obj)
    return found
