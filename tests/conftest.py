"""Hypothesis profiles of the project's tests: ``ci`` (short, derandomized, the default) and ``fuzz`` (long).

``nox -s fuzz`` selects ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``). The header names the profile, the example
database and the seed, so a failure can be replayed (``--hypothesis-seed`` or the printed blob).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "fuzz", max_examples=1000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_report_header(config: pytest.Config) -> str:
    chosen = settings()
    seed = config.getoption("hypothesis_seed", None)
    how = "derandomized (fixed per test)" if chosen.derandomize else ("random" if seed is None else str(seed))
    return (f"hypothesis: profile {settings.get_current_profile_name()!r}, max_examples={chosen.max_examples}, "
            f"database={chosen.database!r}, seed={how}; a failure prints @reproduce_failure to replay it")
