"""The exchange rules agree with the real recordings, except where a listed deviation says why."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from calibration import EXPECTED, Calibration, calibrate, expected, table
from sessions import RECORDINGS, load_sessions

from conformance.contract.exchange_rules import exchange_rules

pytestmark = pytest.mark.skipif(not RECORDINGS.is_dir(), reason=f"the shared recordings are not at {RECORDINGS}")


@pytest.fixture(scope="module")
def result() -> Calibration:
    """Every exchange rule over every recorded openai and azure session."""
    return calibrate()


def test_every_disagreement_is_listed_and_every_listed_one_occurs(result: Calibration) -> None:
    assert result.problems == [], "\n".join(table(result) + result.problems)


def test_every_listed_disagreement_says_why() -> None:
    for key, entry in expected(EXPECTED).items():
        assert entry["reason"].strip() and entry["evidence"].strip(), key
        assert entry["found"] == sorted(set(entry["found"])), key


def test_an_unlisted_or_stale_disagreement_is_a_problem(tmp_path: Path) -> None:
    document = json.loads(EXPECTED.read_text(encoding="utf-8"))
    dropped = document["disagreements"].pop(0)
    document["disagreements"].append({**dropped, "session": "nowhere__no-such-test"})
    listed = tmp_path / "expected.json"
    listed.write_text(json.dumps(document), encoding="utf-8")
    problems = calibrate(listed=listed).problems
    assert [p.split(":")[0] for p in problems] == ["unexplained", "stale"]
    assert dropped["session"] in problems[0] and "nowhere__no-such-test" in problems[1]


def test_sessions_group_the_openai_and_azure_files_in_order() -> None:
    loaded = {r.session.name: r for r in load_sessions()}
    assert {r.provider for r in loaded.values()} == {"openai", "azure"}
    deleted = loaded["azure-sdk-assets__ResponsesTests.CanDeleteResponse_gpt-4o-mini"].session
    assert [x.kind for x in deleted.exchanges] == ["create", "retrieve", "delete", "retrieve"]
    assert deleted.exchanges[3].status == 404
    chunks = loaded["vercel-ai__openai-reasoning-encrypted-content.1.chunks"]
    assert len(chunks.files) == 1 and len(chunks.session.exchanges) == 4  # one fixture, four streams


def test_the_real_sessions_exercise_all_but_three_exchange_rules(result: Calibration) -> None:
    never = {rule.id for rule in exchange_rules()} - {rule for rule, _ in result.exercised}
    # Not in the recordings: a second cancel, and any later request on a foreground store: false response.
    assert never == {"exchange.cancel.idempotent", "exchange.store_false.not_chainable",
                     "exchange.store_false.not_retrievable"}


def test_the_readme_states_the_measured_coverage(result: Calibration) -> None:
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split())
    azure = sum(result.sessions_of(rule.id, "azure") for rule in exchange_rules())
    openai = sum(result.sessions_of(rule.id, "openai") for rule in exchange_rules())
    rules = len(exchange_rules())
    exercised = len({rule for rule, _ in result.exercised})
    assert (f"Coverage: {result.coverage} rule x session pairs exercised, {azure} on Azure and {openai} on "
            f"OpenAI; {exercised} of {rules} rules exercised") in readme
    assert f"The {len(result.found)} disagreements are real deviations" in readme
