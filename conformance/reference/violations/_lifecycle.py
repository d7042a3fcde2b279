"""Violations of the lifecycle checks: create, retrieve, delete and input_items answers that break the contract."""

from __future__ import annotations

from typing import Any

from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import is_input_items, is_response, is_retrieve, route_parts

# Module state of the stateful violations (a caching gateway remembers what it has seen); ids never repeat.
_SEEN: dict[str, dict[str, Any]] = {}
_ITEMS: dict[str, dict[str, Any]] = {}


def _is_delete(ex: Exchange) -> bool:
    return ex.method == "DELETE" and len(route_parts(ex)) == 2


def _snapshot_for_create(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and is_response(value) and not value.get("background"):
        value = {**value, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    return status, value


violation(
    "create-answers-in-progress-snapshot",
    "A synchronous create answers the in_progress snapshot of response.created (empty output), as a proxy "
    "that turns a streamed upstream answer into JSON after its first event does.",
    caught_by=("lifecycle.create.returns_response",),
    on_json=_snapshot_for_create,
)


def _stale_retrieve(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_retrieve(ex) and status == 200 and is_response(value):
        value = {**value, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    return status, value


violation(
    "retrieve-returns-stale-snapshot",
    "Retrieve reads a lagging replica: a finished response comes back in_progress with no output.",
    caught_by=("lifecycle.retrieve.equals_create",),
    on_json=_stale_retrieve,
)


def _deletion_without_object(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_delete(ex) and status == 200 and isinstance(value, dict):
        value = {"id": value.get("id"), "deleted": True}
    return status, value


violation(
    "deletion-object-without-object",
    "Delete answers {id, deleted} without object: \"response.deleted\" (a self-hosted server's shortcut).",
    caught_by=("lifecycle.delete.acknowledged",),
    on_json=_deletion_without_object,
)


def _cached_after_delete(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and is_response(value):
        _SEEN[value["id"]] = value
    elif is_retrieve(ex) and status == 404 and route_parts(ex)[1] in _SEEN:
        return 200, _SEEN[route_parts(ex)[1]]
    return status, value


violation(
    "delete-leaves-response-retrievable",
    "A caching gateway keeps serving a response after it was deleted upstream.",
    caught_by=("lifecycle.delete.then_not_found",),
    on_json=_cached_after_delete,
)


def _delete_always_ok(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_delete(ex) and status == 404:
        return 200, {"id": route_parts(ex)[1], "object": "response.deleted", "deleted": True}
    return status, value


violation(
    "delete-twice-answers-200",
    "Delete answers 200 even for a response that no longer exists (an 'idempotent' delete hiding the 404).",
    caught_by=("lifecycle.delete.twice_not_found",),
    on_json=_delete_always_ok,
)


def _null_page_ids(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_input_items(ex) and status == 200 and isinstance(value, dict):
        value = {**value, "first_id": None, "last_id": None}
    return status, value


violation(
    "input-items-null-page-ids",
    "input_items answers first_id and last_id as null on every page.",
    caught_by=("lifecycle.input_items.list_fields",),
    on_json=_null_page_ids,
)


def _never_more(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_input_items(ex) and status == 200 and isinstance(value, dict):
        value = {**value, "has_more": False}
    return status, value


violation(
    "input-items-has-more-always-false",
    "input_items always says has_more: false, so clients never fetch the next page.",
    caught_by=("lifecycle.input_items.has_more",),
    on_json=_never_more,
)


def _inclusive_after(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if not (is_input_items(ex) and status == 200 and isinstance(value, dict)):
        return status, value
    for item in value.get("data") or []:
        _ITEMS[str(item.get("id"))] = item
    cursor = ex.query.get("after")
    if cursor in _ITEMS:
        data = [_ITEMS[cursor], *value["data"]]
        value = {**value, "data": data, "first_id": cursor, "last_id": data[-1].get("id")}
    return status, value


violation(
    "input-items-after-is-inclusive",
    "The after cursor is inclusive (an off-by-one): the next page repeats the item it was asked to start after.",
    caught_by=("lifecycle.input_items.after_cursor",),
    on_json=_inclusive_after,
)


def _order_ignored(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_input_items(ex) and status == 200 and isinstance(value, dict) and ex.query.get("order") == "asc":
        data = list(reversed(value.get("data") or []))
        value = {**value, "data": data, "first_id": data[0].get("id") if data else None,
                 "last_id": data[-1].get("id") if data else None}
    return status, value


violation(
    "input-items-order-ignored",
    "input_items ignores order and always lists newest first.",
    caught_by=("lifecycle.input_items.order",),
    on_json=_order_ignored,
)
