"""Developer sessions: tests, lint, typecheck, bench, recordings, example, fuzz, selftest."""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """The README's test command."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "conformance", "tests", ".ci", "benchmarks")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def recordings(session: nox.Session) -> None:
    """Validate the shared real recordings (../shared/reference/recordings) and calibrate the exchange rules."""
    session.install("-e", ".")
    session.run("python", ".ci/validate_recordings.py", *session.posargs)
    session.run("python", ".ci/calibrate.py", *session.posargs)


@nox.session
def example(session: nox.Session) -> None:
    """Regenerate the committed example report (reports/example/) and its screenshot."""
    session.install("-e", ".[test]")
    session.run("python", ".ci/example_report.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Throughput benchmarks; numbers are printed, never asserted by the tests."""
    session.install("-e", ".")
    session.run("python", "benchmarks/bench_validate.py")
    session.run("python", "benchmarks/bench_reference.py")
    session.run("python", "benchmarks/bench_cell.py")
    session.run("python", "benchmarks/bench_matrix.py")
    session.run("python", "benchmarks/bench_cassettes.py")
    session.run("python", "benchmarks/bench_fuzz.py")


@nox.session
def selftest(session: nox.Session) -> None:
    """Every violation against its own reference server, every legal variation against every check (the
    sweep), and the faithful run; writes reports/selftest/."""
    session.install("-e", ".")
    session.run("responses-conformance", "selftest", "--sweep", "--out", "reports/selftest", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The property tests with the long hypothesis profile (failures replay from .hypothesis/)."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests/property", "-p", "no:cacheprovider", env={"HYPOTHESIS_PROFILE": "fuzz"})
