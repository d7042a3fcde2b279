"""Violations of the lifecycle, chaining, store and errors checks: bugs seen in real servers and gateways."""

from __future__ import annotations

import time
from typing import Any

from conformance.reference.violations._base import Exchange, violation

# Module state of the stateful violations (a caching gateway remembers what it has seen); ids never repeat.
_SEEN: dict[str, dict[str, Any]] = {}
_ITEMS: dict[str, dict[str, Any]] = {}
_STREAMED_AT: dict[str, float] = {}
_MARK = "x_violation"
_LAG = 2.0  # seconds a lagging store needs before a streamed response can be found


def _envelope(message: str, type: str = "invalid_request_error", param: str | None = None,
              code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def _server_error() -> dict[str, Any]:
    return _envelope("The server had an error while processing your request.", "server_error")


def _code(value: Any) -> Any:
    error = value.get("error") if isinstance(value, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def _is_response(value: Any) -> bool:
    return isinstance(value, dict) and value.get("object") == "response"


def _parts(ex: Exchange) -> list[str]:
    return [p for p in ex.route.split("/") if p]


def _is_retrieve(ex: Exchange) -> bool:
    return ex.method == "GET" and len(_parts(ex)) == 2 and ex.query.get("stream", "false") != "true"


def _is_input_items(ex: Exchange) -> bool:
    parts = _parts(ex)
    return ex.method == "GET" and len(parts) == 3 and parts[2] == "input_items"


def _is_delete(ex: Exchange) -> bool:
    return ex.method == "DELETE" and len(_parts(ex)) == 2


def _request(ex: Exchange) -> dict[str, Any]:
    return ex.body if isinstance(ex.body, dict) else {}


def _marked(body: dict[str, Any], mark: str) -> dict[str, Any]:
    """The request with a marker in metadata, so that the answer (and later retrievals) can be recognised."""
    return {**body, "metadata": {**(body.get("metadata") or {}), _MARK: mark}}


def _unmark(value: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    metadata = dict(value.get("metadata") or {})
    mark = metadata.pop(_MARK, None)
    return {**value, "metadata": metadata}, mark


# -- lifecycle ----------------------------------------------------------------------------------------------


def _snapshot_for_create(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and _is_response(value) and not value.get("background"):
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
    if _is_retrieve(ex) and status == 200 and _is_response(value):
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
    if ex.is_create and status == 200 and _is_response(value):
        _SEEN[value["id"]] = value
    elif _is_retrieve(ex) and status == 404 and _parts(ex)[1] in _SEEN:
        return 200, _SEEN[_parts(ex)[1]]
    return status, value


violation(
    "delete-leaves-response-retrievable",
    "A caching gateway keeps serving a response after it was deleted upstream.",
    caught_by=("lifecycle.delete.then_not_found",),
    on_json=_cached_after_delete,
)


def _delete_always_ok(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_delete(ex) and status == 404:
        return 200, {"id": _parts(ex)[1], "object": "response.deleted", "deleted": True}
    return status, value


violation(
    "delete-twice-answers-200",
    "Delete answers 200 even for a response that no longer exists (an 'idempotent' delete hiding the 404).",
    caught_by=("lifecycle.delete.twice_not_found",),
    on_json=_delete_always_ok,
)


def _null_page_ids(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_input_items(ex) and status == 200 and isinstance(value, dict):
        value = {**value, "first_id": None, "last_id": None}
    return status, value


violation(
    "input-items-null-page-ids",
    "input_items answers first_id and last_id as null on every page.",
    caught_by=("lifecycle.input_items.list_fields",),
    on_json=_null_page_ids,
)


def _never_more(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_input_items(ex) and status == 200 and isinstance(value, dict):
        value = {**value, "has_more": False}
    return status, value


violation(
    "input-items-has-more-always-false",
    "input_items always says has_more: false, so clients never fetch the next page.",
    caught_by=("lifecycle.input_items.has_more",),
    on_json=_never_more,
)


def _inclusive_after(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if not (_is_input_items(ex) and status == 200 and isinstance(value, dict)):
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
    if _is_input_items(ex) and status == 200 and isinstance(value, dict) and ex.query.get("order") == "asc":
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

# -- chaining -----------------------------------------------------------------------------------------------


def _previous_not_echoed(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and _is_response(value):
        value = {**value, "previous_response_id": None}
    return status, value


violation(
    "previous-response-id-not-echoed",
    "A chained response answers previous_response_id: null.",
    caught_by=("chaining.previous_response_id.echoed",),
    on_json=_previous_not_echoed,
)


def _drop_previous(ex: Exchange) -> Any:
    body = _request(ex)
    previous = body.get("previous_response_id")
    if not isinstance(previous, str):
        return body
    return _marked({k: v for k, v in body.items() if k != "previous_response_id"}, previous)


def _echo_dropped_previous(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_response(value):
        value, mark = _unmark(value)
        if mark is not None:
            value["previous_response_id"] = mark
    return status, value


violation(
    "previous-response-id-ignored",
    "A gateway in front of a stateless backend drops previous_response_id but echoes it: the model never "
    "sees the earlier turns.",
    caught_by=("chaining.context.carried",),
    on_request=_drop_previous,
    on_json=_echo_dropped_previous,
)


def _history_in_input_items(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and _is_response(value):
        _SEEN[value["id"]] = value
    elif _is_input_items(ex) and status == 200 and isinstance(value, dict):
        own = _SEEN.get(_parts(ex)[1]) or {}
        parent = _SEEN.get(str(own.get("previous_response_id")))
        if parent is not None:
            earlier = list(parent.get("output") or [])
            desc = ex.query.get("order", "desc") == "desc"
            data = [*value["data"], *reversed(earlier)] if desc else [*earlier, *value["data"]]
            value = {**value, "data": data, "first_id": data[0].get("id"), "last_id": data[-1].get("id")}
    return status, value


violation(
    "input-items-include-earlier-turns",
    "The input_items of a chained response also list the earlier turn's output (the whole context).",
    caught_by=("chaining.input_items.only_new_input",),
    on_json=_history_in_input_items,
)


def _refuse_replayed_ids(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    items = _request(ex).get("input")
    if ex.is_create and status == 200 and isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("role") == "assistant" and isinstance(item.get("id"), str):
                message = f"Item with id '{item['id']}' not found."
                return 404, _envelope(message, param=f"input[{i}]")
    return status, value


violation(
    "replayed-output-items-refused",
    "Replayed output items that carry their ids are treated as references and refused as not found.",
    caught_by=("chaining.manual.replayed_output",),
    on_json=_refuse_replayed_ids,
)


def _unknown_previous_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and _code(value) == "previous_response_not_found":
        return 500, _server_error()
    return status, value


violation(
    "unknown-previous-response-id-500",
    "An unknown previous_response_id is a failed lookup that escapes as a 500.",
    caught_by=("chaining.previous_response_id.unknown",),
    on_json=_unknown_previous_crashes,
)


def _note_streamed(ex: Exchange, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if ex.is_create:
        for event in events:
            response = event.get("response")
            if isinstance(response, dict) and isinstance(response.get("id"), str):
                _STREAMED_AT[response["id"]] = time.monotonic()
    return events


def _lagging_store(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    previous = _request(ex).get("previous_response_id")
    written = _STREAMED_AT.get(previous) if isinstance(previous, str) else None
    if ex.is_create and written is not None and time.monotonic() - written < _LAG:
        message = f"Previous response with id '{previous}' not found."
        return 400, _envelope(message, param="previous_response_id", code="previous_response_not_found")
    return status, value


violation(
    "streamed-response-stored-late",
    "A streamed response is written to the store asynchronously after its terminal event, so chaining on it "
    "right away answers 400 previous_response_not_found.",
    caught_by=("chaining.read_after_write.streamed_parent",),
    on_events=_note_streamed,
    on_json=_lagging_store,
)

# -- store ----------------------------------------------------------------------------------------------------


def _store_echoed_true(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and status == 200 and _is_response(value):
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
        body = _request(ex)
        if body.get("store") is not False or body.get("background") is True:
            return body
        return _marked({**body, "store": True}, mark)

    return rewrite


def _hide_store(hidden: bool) -> Any:
    def rewrite(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
        if not _is_response(value):
            return status, value
        value, mark = _unmark(value)
        if mark is None:
            return status, value
        if hidden and _is_retrieve(ex):
            return 404, _envelope(f"Response with id '{value['id']}' not found.")
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
    body = _request(ex)
    if body.get("background") is True and body.get("store") is False:
        return {k: v for k, v in body.items() if k != "store"}
    return body


violation(
    "background-store-false-accepted",
    "background with store: false is accepted: store is silently forced to true.",
    caught_by=("store.background.requires_store",),
    on_request=_background_forces_store,
)

# -- errors ---------------------------------------------------------------------------------------------------


def _malformed_json_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _code(value) == "invalid_json":
        return 500, _server_error()
    return status, value


violation(
    "malformed-json-500",
    "A body that is not JSON makes the parser raise, and the exception escapes as a 500.",
    caught_by=("errors.malformed_json.bad_request",),
    on_json=_malformed_json_crashes,
)


def _type_error_without_param(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 400 and _code(value) == "invalid_type":
        value = {"error": {**value["error"], "param": None}}
    return status, value


violation(
    "type-error-without-param",
    "A wrong-type error answers param: null instead of naming the parameter.",
    caught_by=("errors.wrong_type.names_param",),
    on_json=_type_error_without_param,
)


def _missing_model_without_param(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 400 and _code(value) == "missing_required_parameter":
        value = {"error": {**value["error"], "param": None}}
    return status, value


violation(
    "missing-model-without-param",
    "A missing-parameter error answers param: null instead of naming model.",
    caught_by=("errors.missing_model.names_param",),
    on_json=_missing_model_without_param,
)


def _framework_not_found(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if _is_retrieve(ex) and status == 404:
        return 404, {"detail": "Not Found"}
    return status, value


violation(
    "not-found-without-envelope",
    "An unknown response id answers the web framework's default 404 body {\"detail\": \"Not Found\"}.",
    caught_by=("errors.unknown_response.not_found",),
    on_json=_framework_not_found,
)


def _wrong_key_forbidden(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 401 and _code(value) == "invalid_api_key":
        return 403, value
    return status, value


violation(
    "wrong-key-403",
    "A gateway answers a wrong key with 403 Forbidden instead of 401.",
    caught_by=("errors.auth.wrong_key",),
    on_json=_wrong_key_forbidden,
)


def _missing_key_bare(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 401 and _code(value) == "missing_api_key":
        return 401, {"message": "No API key found in request"}
    return status, value


violation(
    "missing-key-gateway-body",
    "An API gateway refuses a request without a key with its own body {\"message\": ...}, not an error envelope.",
    caught_by=("errors.auth.missing_key",),
    on_json=_missing_key_bare,
)


def _bad_version_not_found(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    error = value.get("error") if isinstance(value, dict) else None
    if status == 400 and isinstance(error, dict) and error.get("param") == "api-version":
        return 404, {"error": {"code": "404", "message": "Resource not found"}}
    return status, value


violation(
    "bad-api-version-404",
    "An unsupported api-version answers 404 Resource not found, as older Azure routes do.",
    caught_by=("errors.api_version.unsupported",),
    on_json=_bad_version_not_found,
    flavor="azure",
)


def _missing_model_crashes(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.is_create and _code(value) == "missing_required_parameter":
        return 500, _server_error()
    return status, value


violation(
    "missing-model-500",
    "A create request without model raises a KeyError that escapes as a 500.",
    caught_by=("errors.client_error.never_5xx",),
    on_json=_missing_model_crashes,
)
