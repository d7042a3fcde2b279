"""Switchable contract violations of the reference server (``serve --violate NAME``), each naming its catchers."""

from conformance.reference.violations import (  # noqa: F401  (they register)
    _background,
    _chaining,
    _errors,
    _files,
    _functions,
    _fuzz,
    _images,
    _lifecycle,
    _mcp,
    _parameters,
    _reasoning,
    _resume,
    _store,
    _streaming,
    _structured,
)
from conformance.reference.violations._base import (
    VIOLATIONS,
    ContractBreak,
    Exchange,
    ViolatingMiddleware,
    unknown_violations,
    violation,
)

__all__ = ["VIOLATIONS", "ContractBreak", "Exchange", "ViolatingMiddleware", "unknown_violations", "violation"]
