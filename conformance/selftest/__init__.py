"""Self-test: the suite against reference servers that each commit one violation (each must be caught) or show
one legal variation (each must leave every verdict as on the faithful server), and the faithful servers."""

from conformance.selftest._run import (
    FaithfulResult,
    MutantResult,
    SelftestResult,
    VariationResult,
    run_selftest,
)
from conformance.selftest._write import print_table, write_selftest

__all__ = [
    "FaithfulResult",
    "MutantResult",
    "SelftestResult",
    "VariationResult",
    "print_table",
    "run_selftest",
    "write_selftest",
]
