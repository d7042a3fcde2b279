"""Violations of the reasoning checks: encrypted reasoning missing, readable, cached, dropped, looked up or unverified."""

from __future__ import annotations

import base64
import json
from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import (
    input_parts,
    is_error,
    output_items,
    request_body,
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


def _tamper_422(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_error(status, value, "invalid_encrypted_content"):
        return 422, ApiError(422, "Unprocessable entity: input.encrypted_content", code="invalid_encrypted_content").envelope()
    return status, value


violation(
    "reasoning-tampered-422",
    "Altered encrypted_content is refused with 422 (a gateway's validation status) instead of OpenAI's 400.",
    caught_by=("reasoning.encrypted.tampered_refused",),
    on_json=_tamper_422,
)


def _encoded_not_encrypted(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    said = " ".join(str(p.get("text")) for p in input_parts(ex) if isinstance(p.get("text"), str))
    for item in output_items(value, "reasoning") if status == 200 else []:
        if "encrypted_content" in item:
            plain = json.dumps({"thoughts": f"The user wrote: {said}", "summary": item.get("summary")}).encode()
            item["encrypted_content"] = base64.urlsafe_b64encode(plain).decode()
    return status, value


violation(
    "reasoning-content-only-encoded",
    "encrypted_content is the reasoning in base64, not encrypted: anyone holding the response reads the prompt.",
    caught_by=("reasoning.encrypted.opaque",),
    on_json=_encoded_not_encrypted,
)

_FIRST_TOKEN: dict[str, list[str]] = {}  # a response cache: the reasoning tokens first answered to each request


def _cached_reasoning(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    sealed = [x for x in output_items(value, "reasoning") if "encrypted_content" in x] if status == 200 else []
    if ex.is_create and sealed:
        key = json.dumps(request_body(ex).get("input"), sort_keys=True)
        first = _FIRST_TOKEN.setdefault(key, [x["encrypted_content"] for x in sealed])
        for item, token in zip(sealed, first, strict=False):
            item["encrypted_content"] = token
    return status, value


violation(
    "reasoning-content-cached",
    "A gateway's response cache hands the same encrypted_content to every identical request (a deterministic "
    "seal): two responses' reasoning can be linked.",
    caught_by=("reasoning.encrypted.opaque",),
    on_json=_cached_reasoning,
)


def _drop_reasoning(ex: Exchange) -> Any:
    body = request_body(ex)
    given = body.get("input")
    if ex.is_create and isinstance(given, list):
        return {**body, "input": [x for x in given if not (isinstance(x, dict) and x.get("type") == "reasoning")]}
    return body


violation(
    "reasoning-items-dropped",
    "Reasoning items passed back are dropped before the model (a chat-completions adapter): the next turn is "
    "answered, but the model never sees its earlier reasoning, and an altered one is not noticed.",
    caught_by=("reasoning.encrypted.reaches_model", "reasoning.encrypted.tampered_refused"),
    on_request=_drop_reasoning,
)
