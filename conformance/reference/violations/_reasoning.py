"""Violations of the reasoning checks: encrypted reasoning content missing, looked up or not authenticated."""

from __future__ import annotations

from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import (
    is_error,
    output_items,
    request_items,
    server_error,
    stub_response,
)


def _include_ignored(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    for item in output_items(value, "reasoning") if status == 200 else []:
        item.pop("encrypted_content", None)
    return status, value


violation(
    "reasoning-encrypted-content-missing",
    "include reasoning.encrypted_content is ignored: reasoning items come back without encrypted_content.",
    caught_by=("reasoning.encrypted.returned",),
    on_json=_include_ignored,
)


def _replay_not_found(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    replayed = [x for x in request_items(ex) if x.get("type") == "reasoning"]
    if status == 200 and ex.is_create and replayed and ex.body.get("store") is False:
        rid = replayed[0].get("id")
        return 404, ApiError(
            404, f"Item with id '{rid}' not found. Items are not persisted when `store` is set to false. Try again "
            "with `store` set to true, or remove this item from your input.", param="input",
        ).envelope()
    return status, value


violation(
    "reasoning-replay-looked-up",
    "A reasoning item passed back with store false is looked up in storage instead of decrypted, and refused "
    "as not found.",
    caught_by=("reasoning.encrypted.round_trip",),
    on_json=_replay_not_found,
)


def _tamper_crash(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_error(status, value, "invalid_encrypted_content"):
        return 500, server_error()
    return status, value


violation(
    "reasoning-tampered-500",
    "Altered encrypted_content makes the server fail with a 500 (the decryption error escapes) instead of a 400.",
    caught_by=("reasoning.encrypted.tampered_refused",),
    on_json=_tamper_crash,
)


def _tamper_unverified(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_error(status, value, "invalid_encrypted_content"):
        return 200, stub_response(ex, "9")
    return status, value


violation(
    "reasoning-tampered-accepted",
    "Altered encrypted_content is accepted: the reasoning item is not authenticated (no MAC check).",
    caught_by=("reasoning.encrypted.tampered_refused",),
    on_json=_tamper_unverified,
)
