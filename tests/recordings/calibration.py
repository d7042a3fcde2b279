"""Calibration of the exchange rules on the real recordings: every disagreement is listed, with its reason.

A disagreement is one place where a rule found violations in a real session, keyed by (rule, session,
pointer) with the sorted IDs of the rules its violations break. Each must be listed in
``expected-disagreements.json`` (a real deviation, with the reason and the evidence); a listed one that no
longer occurs, or that breaks other rules than listed, is a problem too: the list stays honest.
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sessions import RECORDINGS, Recorded, load_sessions

from conformance.contract.exchange_rules import Outcome, exchange_rules, judge

EXPECTED = Path(__file__).resolve().parent / "expected-disagreements.json"
Key = tuple[str, str, str]  # (rule, session, pointer)


@dataclass
class Calibration:
    """What the rules found in the recordings: coverage per rule and provider, disagreements, problems."""

    sessions: collections.Counter[str] = field(default_factory=collections.Counter)  # per provider
    exercised: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (rule, provider) -> sessions
    places: collections.Counter[str] = field(default_factory=collections.Counter)  # exercised places per rule
    found: dict[Key, list[str]] = field(default_factory=dict)  # disagreement -> violated rule IDs
    listed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> int:
        """Rules x sessions exercised: the number of (rule, session) pairs where a rule was exercised."""
        return sum(len(names) for names in self.exercised.values())

    def sessions_of(self, rule: str, provider: str) -> int:
        return len(self.exercised.get((rule, provider), ()))


def expected(path: Path = EXPECTED) -> dict[Key, dict[str, Any]]:
    entries = json.loads(path.read_text(encoding="utf-8"))["disagreements"]
    return {(e["rule"], e["session"], e["pointer"]): e for e in entries}


def evidence(recorded: Recorded, outcome: Outcome) -> str:
    """A one-line account of a disagreement: the file it comes from and its first violation."""
    index = int(outcome.place.strip("/").split("/")[0])
    first = outcome.violations[0]
    more = f" (+{len(outcome.violations) - 1} more)" if len(outcome.violations) > 1 else ""
    return f"{recorded.session.exchanges[index].source}: {first}{more}"


def calibrate(recordings: Path = RECORDINGS, listed: Path = EXPECTED) -> Calibration:
    """Run every exchange rule over every openai and azure session and compare with the listed disagreements."""
    result = Calibration()
    wanted = expected(listed)
    result.listed = len(wanted)
    for recorded in load_sessions(recordings):
        session = recorded.session
        result.sessions[recorded.provider] += 1
        for outcome in judge(session):
            if not outcome.exercised:
                continue
            result.exercised.setdefault((outcome.rule, recorded.provider), set()).add(session.name)
            result.places[outcome.rule] += 1
            if outcome.violations:
                key = (outcome.rule, session.name, outcome.place)
                result.found[key] = sorted({v.rule for v in outcome.violations})
                entry = wanted.get(key)
                if entry is None:
                    result.problems.append(f"unexplained: {key[0]} {key[1]} {key[2]}: {evidence(recorded, outcome)}")
                elif sorted(entry["found"]) != result.found[key]:
                    result.problems.append(f"changed: {key[0]} {key[1]} {key[2]}: listed {sorted(entry['found'])}, "
                                           f"found {result.found[key]}")
    for key in sorted(set(wanted) - set(result.found)):
        result.problems.append(f"stale: {key[0]} {key[1]} {key[2]} is listed but no longer occurs (remove it)")
    return result


def table(result: Calibration) -> list[str]:
    """The coverage table: per rule, the real sessions that exercised it (Azure and OpenAI apart)."""
    rules = [rule.id for rule in exchange_rules()]
    width = max(map(len, rules))
    disagreements = collections.Counter(key[0] for key in result.found)
    lines = [f"exchange rules on {sum(result.sessions.values())} recorded sessions "
             f"({result.sessions['azure']} azure, {result.sessions['openai']} openai)",
             f"{'rule':<{width}}  {'azure':>5}  {'openai':>6}  {'places':>6}  {'listed':>6}"]
    for rule in rules:
        azure, openai = result.sessions_of(rule, "azure"), result.sessions_of(rule, "openai")
        lines.append(f"{rule:<{width}}  {azure:>5}  {openai:>6}  {result.places[rule]:>6}  {disagreements[rule]:>6}")
    azure = sum(result.sessions_of(rule, "azure") for rule in rules)
    openai = sum(result.sessions_of(rule, "openai") for rule in rules)
    never = [rule for rule in rules if not result.sessions_of(rule, "azure") + result.sessions_of(rule, "openai")]
    lines.append(f"coverage: {result.coverage} rule x session pairs exercised ({azure} azure, {openai} openai); "
                 f"{len(rules) - len(never)} of {len(rules)} rules exercised"
                 + (f" (never: {', '.join(never)})" if never else ""))
    lines.append(f"disagreements: {len(result.found)} found, {result.listed} listed, {len(result.problems)} problem(s)")
    return lines
