"""The self-test's outputs: rich tables on the terminal, ``selftest.json`` and ``selftest.md``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from conformance.__about__ import __version__
from conformance.selftest._run import SelftestResult

FORMAT_VERSION = "1"


def _score(result: SelftestResult) -> str:
    caught = sum(m.caught for m in result.mutants)
    return f"{caught}/{len(result.mutants)}"


def _variation_score(result: SelftestResult) -> str:
    passed = sum(v.passed for v in result.variations)
    return f"{passed}/{len(result.variations)}"


def to_dict(result: SelftestResult) -> dict[str, Any]:
    """The JSON form of a self-test."""
    faithful = result.faithful
    return {
        "format_version": FORMAT_VERSION,
        "tool_version": __version__,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": result.duration_s,
        "ok": result.ok,
        "score": {"caught": sum(m.caught for m in result.mutants), "total": len(result.mutants)},
        "survivors": list(result.survivors),
        "violations": [
            {
                "name": m.name,
                "description": m.description,
                "flavor": m.flavor,
                "expected": list(m.expected),
                "caught_by": list(m.caught_by),
                "verdicts": m.verdicts,
                "caught": m.caught,
            }
            for m in result.mutants
        ],
        "faithful": {
            "checks": len(faithful.checks),
            "verdicts": faithful.counts,
            "failed": list(faithful.failed),
        },
        "variation_score": {
            "passed": sum(v.passed for v in result.variations),
            "total": len(result.variations),
        },
        "broken": list(result.broken),
        "variations": [
            {
                "name": v.name,
                "description": v.description,
                "flavors": list(v.flavors),
                "checks": list(v.checks),
                "verdicts": v.verdicts,
                "changed": list(v.changed),
                "passed": v.passed,
            }
            for v in result.variations
        ],
        "pending": [{"name": name, "reason": reason} for name, reason in result.pending],
    }


def _markdown(result: SelftestResult) -> str:
    faithful = result.faithful
    counts = ", ".join(f"{v} {k}" for k, v in faithful.counts.items())
    lines = [
        "# Self-test by mutation",
        "",
        f"Mutation score: **{_score(result)}** violations caught by at least one of their expected checks.",
        f"Faithful servers (azure and openai flavours, {len(faithful.checks)} checks): {counts}.",
        "",
        "| Violation | Flavour | Expected checks | Caught by | Result |",
        "|---|---|---|---|---|",
    ]
    for m in result.mutants:
        expected = "<br>".join(f"`{c}`" for c in m.expected)
        caught = "<br>".join(f"`{c}`" for c in m.caught_by) or "—"
        lines.append(
            f"| `{m.name}` | {m.flavor} | {expected} | {caught} | {'CAUGHT' if m.caught else 'SURVIVED'} |"
        )
    lines += [f"- faithful `failed`: {line}" for line in faithful.failed]
    if result.variations or result.pending:
        lines += [
            "",
            "## Legal variations",
            "",
            f"Legal variations passed: **{_variation_score(result)}** (every verdict of the checks each can "
            "affect as on the faithful server).",
            "",
            "| Legal variation | Flavours | Checks judged | Changed verdicts | Result |",
            "|---|---|---:|---|---|",
        ]
        for v in result.variations:
            changed = "<br>".join(f"`{c}`" for c in v.changed) or "—"
            lines.append(
                f"| `{v.name}` | {', '.join(v.flavors)} | {len(v.checks)} | {changed} | "
                f"{'PASSED' if v.passed else 'CHANGED'} |"
            )
        lines += [f"| `{name}` | | | pending: {reason} | PENDING |" for name, reason in result.pending]
    return "\n".join(lines) + "\n"


def write_selftest(result: SelftestResult, out: Path) -> list[Path]:
    """Write ``selftest.json`` (sorted keys) and ``selftest.md`` into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / "selftest.json", out / "selftest.md"
    json_path.write_bytes(
        orjson.dumps(to_dict(result), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )
    md_path.write_text(_markdown(result), encoding="utf-8")
    return [json_path, md_path]


def print_table(result: SelftestResult, console: Console) -> None:
    """The table violation → expected checks → caught by → CAUGHT / SURVIVED, the faithful line, the table of
    legal variations and both scores."""
    if result.mutants:
        table = Table(title="Self-test by mutation")
        for column in ("violation", "expected checks", "caught by", "result"):
            table.add_column(column, overflow="fold")
        for m in result.mutants:
            verdict = "[green]CAUGHT[/]" if m.caught else "[bold red]SURVIVED[/]"
            table.add_row(m.name, "\n".join(m.expected), "\n".join(m.caught_by) or "—", verdict)
        console.print(table)
    faithful = result.faithful
    counts = ", ".join(f"{v} {k}" for k, v in faithful.counts.items())
    console.print(f"faithful servers ({len(faithful.checks)} checks, both flavours): {counts}")
    for line in faithful.failed:
        console.print(f"[red]faithful failed:[/] {escape(line)}", highlight=False)
    for name in result.survivors:
        console.print(f"[bold red]survived:[/] {name}")
    if result.variations or result.pending:
        _print_variations(result, console)
    console.print(
        f"mutation score: {_score(result)}; legal variations passed: {_variation_score(result)}; "
        f"in {result.duration_s} s"
    )


def _print_variations(result: SelftestResult, console: Console) -> None:
    """The table legal variation → checks → changed verdicts → PASSED / CHANGED, then the pending ones."""
    table = Table(title="Legal variations")
    for column in ("legal variation", "flavours", "checks", "changed verdicts", "result"):
        table.add_column(column, overflow="fold")
    for v in result.variations:
        verdict = "[green]PASSED[/]" if v.passed else "[bold red]CHANGED[/]"
        table.add_row(
            v.name, ", ".join(v.flavors), str(len(v.checks)), escape("\n".join(v.changed)) or "—", verdict
        )
    for name, reason in result.pending:
        table.add_row(name, "", "", escape(f"pending: {reason}"), "[yellow]PENDING[/]")
    console.print(table)
    for name in result.broken:
        console.print(f"[bold red]changed a verdict:[/] {name}")
