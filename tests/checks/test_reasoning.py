"""The encrypted-reasoning checks pass against the faithful reference server and catch each violation they name."""

from __future__ import annotations

import pytest

from ._kit import Verdicts, assert_caught, assert_faithful, violations_of


@pytest.mark.parametrize("flavor", ["openai", "azure"])
def test_reasoning_checks_pass_against_the_reference_server(verdicts: Verdicts, flavor: str) -> None:
    assert_faithful(verdicts, ["reasoning.*"], flavor)


@pytest.mark.parametrize("name", violations_of("reasoning"))
def test_reasoning_checks_catch_the_violation(verdicts: Verdicts, name: str) -> None:
    assert_caught(verdicts, name)


def test_opacity_reads_a_secret_in_clear_in_base64_at_any_offset_and_through_zlib() -> None:
    import base64
    import zlib

    from cryptography.fernet import Fernet

    from conformance.checks.test_reasoning import _exposes

    secret = "ORCHID-4821"
    plain = f'{{"thoughts": "the code word is {secret}"}}'.encode()
    assert _exposes(f"x{secret}y", secret)
    for prefix in (b"", b"a", b"ab"):
        assert _exposes(base64.urlsafe_b64encode(prefix + plain).decode(), secret)
        assert _exposes(base64.b64encode(prefix + plain).decode().rstrip("="), secret)
    assert _exposes("enc_" + base64.b64encode(zlib.compress(plain)).decode(), secret)
    assert not _exposes(Fernet(Fernet.generate_key()).encrypt(plain).decode(), secret)


def test_a_probe_passes_on_one_success_and_lists_every_attempt_when_none_names_the_word() -> None:
    from conformance.checks import ContractViolation
    from conformance.checks._answers import mentions, probe

    answers = iter(["I do not know.", "It is **orchid 4821**."])
    probe("ORCHID-4821", lambda n: next(answers), "unused")
    assert mentions("The code word is ORCHID\u20114821.", "ORCHID-4821")  # a non-breaking hyphen
    with pytest.raises(ContractViolation) as failed:
        probe("ORCHID-4821", lambda n: f"answer {n}", "the word is unknown")
    assert "#1: 'answer 1'; #2: 'answer 2'; #3: 'answer 3'" in str(failed.value)
