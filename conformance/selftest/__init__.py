"""Self-test by mutation: the suite against reference servers that each commit one violation, and faithful."""

from conformance.selftest._run import FaithfulResult, MutantResult, SelftestResult, run_selftest
from conformance.selftest._write import print_table, write_selftest

__all__ = ["FaithfulResult", "MutantResult", "SelftestResult", "print_table", "run_selftest", "write_selftest"]
