"""Violations of the store checks: store: false ignored, echoed wrong, or kept where it must not be."""

from __future__ import annotations

from typing import Any

from conformance.reference.errors import not_found
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import is_response, is_retrieve, marked, request_body, unmark


def _store_echoed_true(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and is_response(value):
        value = {**value, "store": True}
    return status, value


violation(
    "store-false-echoed-true",
    "The response always says store: true, whatever the request asked.",
    caught_by=("store.false.echoed",),
    on_json=_store_echoed_true,
)


def _store_anyway(mark: str) -> Any:
    def rewrite(ex: Exchange) -> Any:
        body = request_body(ex)
        if body.get("store") is not False or body.get("background") is True:
            return body
        return marked({**body, "store": True}, mark)

    return rewrite


def _hide_store(hidden: bool) -> Any:
    def rewrite(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
        if not is_response(value):
            return status, value
        value, mark = unmark(value)
        if mark is None:
            return status, value
        if hidden and is_retrieve(ex):
            return 404, not_found("Response", value["id"]).envelope()
        return status, {**value, "store": False}

    return rewrite


violation(
    "store-false-ignored",
    "store: false is ignored: the response is stored anyway (and can be retrieved), though it says store: false.",
    caught_by=("store.false.not_retrievable",),
    on_request=_store_anyway("stored"),
    on_json=_hide_store(hidden=False),
)

violation(
    "store-false-kept-for-chaining",
    "A store: false response is not retrievable but kept in a conversation cache, so chaining on it works.",
    caught_by=("store.false.not_chainable",),
    on_request=_store_anyway("cached"),
    on_json=_hide_store(hidden=True),
)


def _background_forces_store(ex: Exchange) -> Any:
    body = request_body(ex)
    if body.get("background") is True and body.get("store") is False:
        return {k: v for k, v in body.items() if k != "store"}
    return body


violation(
    "background-store-false-accepted",
    "background with store: false is accepted: store is silently forced to true.",
    caught_by=("store.background.requires_store",),
    on_request=_background_forces_store,
)
