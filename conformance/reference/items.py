"""Shared building blocks: ids in the API's style, output messages, and a prepared request."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any


def new_id(prefix: str, sep: str = "_") -> str:
    """A fresh id in the API's style (``msg_`` + 48 hex digits; ``file-...`` with ``sep="-"``)."""
    return f"{prefix}{sep}{secrets.token_hex(24)}"


def message(text: str) -> dict[str, Any]:
    """An assistant message output item with one output_text part."""
    return {
        "id": new_id("msg"),
        "type": "message",
        "status": "completed",
        "content": [{"type": "output_text", "annotations": [], "logprobs": [], "text": text}],
        "role": "assistant",
    }


@dataclass
class Prepared:
    """A create request checked against the stored state, ready to run."""

    body: dict[str, Any]
    items: list[dict[str, Any]]
    history: list[dict[str, Any]] = field(default_factory=list)
    earlier_tools: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    thoughts: dict[int, str] = field(default_factory=dict)  # input index -> decrypted reasoning the model sees
