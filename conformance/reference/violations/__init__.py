"""Switchable contract violations of the reference server (``serve --violate NAME``), each naming its catchers."""

from conformance.reference.violations import _fuzz, _lifecycle, _streaming, _tools  # noqa: F401  (they register)
from conformance.reference.violations._base import (
    VIOLATIONS,
    ContractBreak,
    Exchange,
    ViolatingMiddleware,
    unknown_violations,
    violation,
)

__all__ = ["VIOLATIONS", "ContractBreak", "Exchange", "ViolatingMiddleware", "unknown_violations", "violation"]
