"""Violations of the background checks: the background flag, polling and cancelling a background response."""

from __future__ import annotations

from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import is_retrieve, route_parts, server_error

# Module state of the stateful violations: the responses a gateway has cancelled. Ids never repeat, so nothing
# leaks from one check into another.
_CANCELLED: set[str] = set()


def _is_cancel(ex: Exchange) -> bool:
    parts = route_parts(ex)
    return ex.method == "POST" and len(parts) == 3 and parts[2] == "cancel"


def _drop_background(ex: Exchange) -> Any:
    body = ex.body
    if ex.is_create and isinstance(body, dict) and body.get("background") is True:
        return {k: v for k, v in body.items() if k != "background"}
    return body


violation(
    "background-flag-ignored",
    "A gateway drops the background flag: the create blocks until the answer is complete.",
    caught_by=("background.create.queued",),
    on_request=_drop_background,
)


def _stuck(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if (is_retrieve(ex) and isinstance(value, dict) and value.get("background")
            and value.get("status") in ("completed", "incomplete", "failed")):
        value = {**value, "status": "in_progress", "output": [], "usage": None, "error": None,
                 "incomplete_details": None}
    return status, value


violation(
    "background-stuck-in-progress",
    "A background response never leaves in_progress for a poller: the job's end is never written back.",
    caught_by=("background.poll.terminal",),
    on_json=_stuck,
)


def _cancel_answers_running(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_cancel(ex) and status == 200 and isinstance(value, dict) and value.get("status") == "cancelled":
        value = {**value, "status": "in_progress"}
    return status, value


violation(
    "cancel-answers-running-snapshot",
    "The cancel answers with the response as it was before the cancel (in_progress), not the cancelled one.",
    caught_by=("background.cancel.cancelled",),
    on_json=_cancel_answers_running,
)


def _second_cancel_fails(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if not _is_cancel(ex) or status != 200:
        return status, value
    rid = route_parts(ex)[1]
    if rid in _CANCELLED:
        return 500, server_error()
    _CANCELLED.add(rid)
    return status, value


violation(
    "cancel-twice-server-error",
    "Cancelling a response a second time answers 500 instead of the final response object.",
    caught_by=("background.cancel.idempotent",),
    on_json=_second_cancel_fails,
)


def _job_keeps_running(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_retrieve(ex) and isinstance(value, dict) and value.get("status") == "cancelled":
        value = {**value, "status": "completed"}
    return status, value


violation(
    "cancel-does-not-stop-job",
    "The cancel answers cancelled but the job keeps running: later retrieves show the response completed.",
    caught_by=("background.cancel.stays_cancelled",),
    on_json=_job_keeps_running,
)


def _foreground_cancel_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_cancel(ex) and status == 400:
        return 500, server_error()
    return status, value


violation(
    "cancel-of-foreground-500",
    "Cancelling a response that was not created in background crashes (500) instead of answering 400.",
    caught_by=("background.cancel.foreground_rejected",),
    on_json=_foreground_cancel_crashes,
)


def _unknown_cancel_400(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_cancel(ex) and status == 404:
        return 400, ApiError(400, "Invalid response id.", code="invalid_request").envelope()
    return status, value


violation(
    "cancel-of-unknown-id-400",
    "Cancelling an id that does not exist answers 400 invalid_request instead of 404.",
    caught_by=("background.cancel.unknown_id",),
    on_json=_unknown_cancel_400,
)
