"""Developer sessions: tests, lint, typecheck, bench, recordings."""

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
    """Validate the shared real recordings (../shared/reference/recordings) against the schemas."""
    session.install("-e", ".")
    session.run("python", ".ci/validate_recordings.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Throughput benchmarks; numbers are printed, never asserted by the tests."""
    session.install("-e", ".")
    session.run("python", "benchmarks/bench_validate.py")
    session.run("python", "benchmarks/bench_reference.py")
    session.run("python", "benchmarks/bench_matrix.py", "--tier", "core")
