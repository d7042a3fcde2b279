"""The known-issues file: each entry matches a check, has its source, and no real recording contradicts it."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable

from _recordings import RECORDINGS, needs_recordings, recorded_exchanges, recording

from conformance.checks import ContractViolation, registry, test_errors
from conformance.checks._judge import Judge
from conformance.client import ApiResponse
from conformance.contract.exchange import Exchange
from conformance.run.outcome import KnownIssue, load_known_issues
from conformance.run.runner import load_checks

PROVIDER = {
    "azure": "azure",
    "openai": "openai",
}  # the recordings' provider a profile's entries are judged on


def _checks() -> list[str]:
    load_checks()
    return sorted(registry())


def _partial_images(exchange: Exchange) -> bool | None:
    """A stream generating an image: does it stream partial images? (None: it generates none)."""
    types = [e.get("type") for e in exchange.events or []]
    if not any(
        e.get("type") == "response.output_item.added"
        and (e.get("item") or {}).get("type") == "image_generation_call"
        for e in exchange.events or []
    ):
        return None
    return "response.image_generation_call.partial_image" not in types


def _image_file_id(exchange: Exchange) -> bool | None:
    """A create whose input has an input_image by file_id: was it refused?"""
    text = json.dumps(exchange.request) if exchange.kind == "create" else ""
    if '"input_image"' not in text or '"file_id"' not in text:
        return None
    return not exchange.ok


def _missing_model(exchange: Exchange) -> bool | None:
    """A create without model that was refused: does the refusal fail errors.missing_model.names_param?"""
    if exchange.kind != "create" or not isinstance(exchange.request, dict) or "model" in exchange.request:
        return None
    if not exchange.client_error:
        return None
    reply = ApiResponse(exchange.status or 0, {}, exchange.body, json.dumps(exchange.body))
    try:
        test_errors.judge_missing_model(reply, Judge("azure"))
    except ContractViolation:
        return True
    return False


# How a recorded exchange exercises a check a known issue names: None (it does not), True (it shows the issue:
# the check would fail), False (it contradicts the issue). A check no recording can exercise maps to None.
EXERCISES: dict[str, Callable[[Exchange], bool | None] | None] = {
    "image_generation.stream.partial_images": _partial_images,
    "image_input.file_id.accepted": _image_file_id,
    "errors.missing_model.names_param": _missing_model,
    "files.purpose.user_data": None,  # the recordings hold Responses traffic only, no Files API upload
}


def _recorded(provider: str) -> list[tuple[str, Exchange]]:
    out = []
    for path in sorted(RECORDINGS.glob("*__*.json")):
        if recording(path.name).get("provider") == provider:
            out += [(path.name, x) for x in recorded_exchanges(path.name)]
    return out


def contradictions(issues: list[KnownIssue], checks: list[str]) -> list[str]:
    """Each (entry, check, recording) where a real recording shows what the entry says cannot be."""
    found = []
    for issue in issues:
        for profile in issue.profiles:
            for check in (c for c in checks if issue.matches(c, profile)):
                exercise = EXERCISES[check]
                for name, exchange in _recorded(PROVIDER[profile]) if exercise is not None else []:
                    if exercise(exchange) is False:
                        found.append(f"{issue.checks} ({profile}): {check} contradicted by {name}")
    return found


def test_every_entry_matches_a_check_and_has_its_source() -> None:
    checks = _checks()
    for issue in load_known_issues():
        for glob in issue.checks:
            assert fnmatch.filter(checks, glob), f"{glob} matches no check"
        assert issue.reason.strip() and issue.link.startswith("https://"), issue
        assert set(issue.profiles) <= set(PROVIDER), issue


def test_every_check_a_known_issue_names_says_how_a_recording_exercises_it() -> None:
    checks = _checks()
    named = {
        c for issue in load_known_issues() for p in issue.profiles for c in checks if issue.matches(c, p)
    }
    assert named <= set(EXERCISES), sorted(named - set(EXERCISES))


@needs_recordings
def test_no_recording_contradicts_a_known_issue() -> None:
    assert contradictions(load_known_issues(), _checks()) == []


@needs_recordings
def test_the_recordings_an_entry_names_show_its_issue() -> None:
    checks = _checks()
    for issue in load_known_issues():
        exercises = [e for c in checks for p in issue.profiles if issue.matches(c, p) and (e := EXERCISES[c])]
        for name in issue.recordings:
            shown = {exercise(x) for exercise in exercises for x in recorded_exchanges(name)}
            assert True in shown and False not in shown, (name, shown)


@needs_recordings
def test_azure_streaming_partial_images_contradicts_the_old_entry() -> None:
    # The how-to page said Azure does not stream image generation; Azure v1 does (vercel/ai's fixture).
    old = KnownIssue(
        ("image_generation.stream.*",), ("azure",), "no streaming of image generation yet", "https://x"
    )
    found = contradictions([old], _checks())
    assert found == [
        "('image_generation.stream.*',) (azure): image_generation.stream.partial_images contradicted by "
        "vercel-ai__azure-image-generation-tool.1.chunks__1.json"
    ]
