"""Reading the target's answers in the tool and input checks: accepted, refused, streamed, and what they hold."""

from __future__ import annotations

import base64
import binascii
import io
import re
from collections.abc import Callable
from typing import Any

from PIL import Image, UnidentifiedImageError

from conformance.checks._check import ContractViolation, expect
from conformance.checks._judge import Judge
from conformance.client import ApiResponse, EventStream
from conformance.matrix import Cell

REASONING_ALLOWANCE = 512
PROBE_ATTEMPTS = 3  # how many times a probe asks a (flaky, real) model before the feature counts as missing
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"RIFF": "webp", b"GIF8": "gif"}


def room(cell: Cell, tokens: int) -> dict[str, Any]:
    """``max_output_tokens`` for an answer of about ``tokens``; a reasoning model also gets low effort and room to think."""
    if "reasoning" in cell.capabilities:
        return {"max_output_tokens": tokens + REASONING_ALLOWANCE, "reasoning": {"effort": "low"}}
    return {"max_output_tokens": tokens}


def _said(answer: ApiResponse) -> str:
    text = " ".join(answer.text.split())
    return f"{answer.status_code} {text[:200]}".rstrip()


def accepted(answer: ApiResponse, judge: Judge, what: str) -> dict[str, Any]:
    """The judged Response object of a 2xx answer; a refusal or a 5xx fails the check."""
    expect(answer.ok, f"{what} was not accepted", expected="200 with a response object", actual=_said(answer))
    return judge.response(answer.body, f"the response to {what} does not conform")


def completed(answer: ApiResponse, judge: Judge, what: str) -> dict[str, Any]:
    """Like ``accepted``, and the response's status is ``completed``."""
    response = accepted(answer, judge, what)
    expect(response.get("status") == "completed", f"the response to {what} did not complete",
           expected="status completed", actual=f"status {response.get('status')!r}")
    return response


def answered(answer: ApiResponse, judge: Judge, what: str) -> dict[str, Any]:
    """Like ``accepted``, and the response completed or stopped at max_output_tokens (not failed)."""
    response = accepted(answer, judge, what)
    details = response.get("incomplete_details") or {}
    expect(response.get("status") == "completed" or details.get("reason") == "max_output_tokens",
           f"the response to {what} was not answered", expected="status completed (or incomplete: max_output_tokens)",
           actual=f"status {response.get('status')!r} {response.get('error') or details or ''}".rstrip())
    return response


def refused(
    answer: ApiResponse, judge: Judge, what: str, statuses: range | tuple[int, ...] = range(400, 500)
) -> None:
    """A client error: one of ``statuses`` (never a 5xx) with a conforming error envelope."""
    wanted = "a 4xx error" if statuses == range(400, 500) else " or ".join(map(str, statuses))
    judge.error(answer.status_code, answer.body, statuses=statuses, title=f"{what} was not refused with {wanted}")


def streamed(stream: EventStream, judge: Judge, what: str) -> list[dict[str, Any]]:
    """Read a whole stream, judge it (schemas, grammar, invariants); its JSON events."""
    if not stream.ok:
        raise ContractViolation(f"{what} was not answered with an event stream", expected="200 text/event-stream",
                                actual=f"{stream.status_code} {stream.headers.get('content-type', '')}: {stream.body}")
    events = stream.read_all()
    expect(stream.error is None, f"the stream of {what} broke", actual=stream.error)
    judge.stream(events, f"the stream of {what} does not conform")
    return stream.json()


def items(response: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """The output items of one type."""
    return [x for x in response.get("output") or [] if isinstance(x, dict) and x.get("type") == kind]


def output_types(response: dict[str, Any]) -> list[Any]:
    """The types of the output items, in order."""
    return [x.get("type") for x in response.get("output") or [] if isinstance(x, dict)]


def output_text(response: dict[str, Any]) -> str:
    """The joined output_text of the assistant messages."""
    return "".join(
        str(part.get("text", ""))
        for item in items(response, "message")
        for part in item.get("content") or []
        if isinstance(part, dict) and part.get("type") == "output_text"
    )


def image_format(b64: Any) -> str | None:
    """The format of a base64 image (png, jpeg, webp, gif) that decodes and opens, or None."""
    if not isinstance(b64, str) or not b64:
        return None
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        return None
    kind = next((name for magic, name in IMAGE_MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    return kind


def user(*parts: dict[str, Any]) -> dict[str, Any]:
    """A user message of content parts."""
    return {"type": "message", "role": "user", "content": list(parts)}


def text(value: str) -> dict[str, Any]:
    """An input_text content part."""
    return {"type": "input_text", "text": value}


def mentions(answer: str, word: str) -> bool:
    """Whether an answer names ``word`` whatever its case, spacing or punctuation (``**Orchid 4821**``)."""
    return _squash(word) in _squash(answer)


def _squash(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.casefold())


def probe(word: str, ask: Callable[[int], str], what: str, attempts: int = PROBE_ATTEMPTS) -> None:
    """Ask a model-dependent question up to ``attempts`` times (``ask(n)`` sends try n and returns the answer).

    The first answer naming ``word`` passes; when none does, the violation lists every attempt's answer.
    """
    answers = []
    for attempt in range(1, attempts + 1):
        answer = ask(attempt)
        if mentions(answer, word):
            return
        answers.append(f"#{attempt}: {' '.join(answer.split())[:160]!r}")
    raise ContractViolation(f"{what} (no answer named it in {attempts} attempts)", expected=f"an answer naming {word}",
                            actual="; ".join(answers))
