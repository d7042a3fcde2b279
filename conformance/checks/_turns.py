"""Small requests and the answers they must get, shared by the lifecycle, chaining, store and errors checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance.checks import _tokens
from conformance.checks._answers import room
from conformance.checks._check import ContractViolation, expect
from conformance.checks._judge import Judge

if TYPE_CHECKING:
    from conformance.client import ApiResponse
    from conformance.matrix import Cell

TERMINAL = ("completed", "incomplete", "failed", "cancelled")
_TOKENS = 32  # every answer these checks ask for is a short sentence


def ask(cell: Cell, prompt: str | list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A create body with a small ``max_output_tokens`` (a reasoning model: low effort and room to think)."""
    return {"input": prompt, **room(cell, _TOKENS), **extra}


def answered(reply: ApiResponse, judge: Judge, what: str) -> dict[str, Any]:
    """The conforming Response object of a 200 answer; a 5xx or any other status is a finding."""
    if reply.status_code >= 500:
        raise ContractViolation(f"{what}: the target answered with a server error", expected=200, actual=_status(reply))
    expect(reply.status_code == 200, f"{what}: the target did not answer 200", expected=200, actual=_status(reply))
    return judge.response(reply.body, f"{what}: the response object does not conform")


def item_text(item: dict[str, Any]) -> str:
    """The text of an input or output message item (its text parts joined)."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or [] if isinstance(p, dict) and isinstance(p.get("text"), str))


def unknown_id(prefix: str = "resp") -> str:
    """An id in the API's style that names nothing on any server."""
    return f"{prefix}_{_tokens.token_hex(24)}"


def code_word() -> str:
    """A fresh code word no model could guess (letters, a dash and digits)."""
    return f"ORCHID-{_tokens.randbelow(9000) + 1000}"


def _status(reply: ApiResponse) -> str:
    body = reply.body if isinstance(reply.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    message = error.get("message") if isinstance(error, dict) else None
    return f"{reply.status_code}" + (f" ({message})" if isinstance(message, str) else "")
