"""Assemble ``schemas/openapi.json`` (OpenAPI 3.1) from the JSON Schemas, so the contract is written once.

Each schema file becomes ``components/schemas/<id with dots>`` with its ``$ref``s rewritten into the
document. ``python -m conformance.contract._openapi`` rewrites the file; ``--check`` exits 1 when stale.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

from conformance.contract._catalog import entry_for, generated_file_main, schema_files
from conformance.contract._schemas import SCHEMA_BASE

COMPONENTS = "#/components/schemas/"
ERROR_STATUSES = {
    "400": "The request is invalid.",
    "401": "Missing or wrong credentials.",
    "404": "No such object (or a deleted one).",
    "429": "Rate limited.",
    "500": "The server failed.",
}
JSON = "application/json"
SSE = "text/event-stream"


def component_name(rel: str) -> str:
    """``items/function_call.json`` → ``items.function_call``."""
    return rel[: -len(".json")].replace("/", ".")


def _target(rel: str, ref: str) -> str:
    path, _, fragment = ref.partition("#")
    if not path:
        file = rel
    elif path.startswith(SCHEMA_BASE):
        file = path[len(SCHEMA_BASE):]
    else:
        parts = rel.split("/")[:-1]
        for seg in path.split("/"):
            if seg == "..":
                parts.pop()
            elif seg and seg != ".":
                parts.append(seg)
        file = "/".join(parts)
    return COMPONENTS + component_name(file) + fragment


def _rewrite(rel: str, node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _rewrite(rel, v) for k, v in node.items() if k not in ("$id", "$schema")}
        if isinstance(node.get("$ref"), str):
            out["$ref"] = _target(rel, node["$ref"])
        return out
    if isinstance(node, list):
        return [_rewrite(rel, v) for v in node]
    return node


def _ref(rel: str) -> dict[str, str]:
    return {"$ref": COMPONENTS + component_name(rel)}


def _errors(*statuses: str) -> dict[str, Any]:
    error = {"content": {JSON: {"schema": _ref("resources/error_envelope.json")}}}
    return {s: {"description": ERROR_STATUSES[s], **copy.deepcopy(error)} for s in statuses}


def _event_item(events: list[tuple[str, str]]) -> dict[str, Any]:
    """One SSE event: its ``event`` name picks the schema of the JSON in its ``data``."""
    return {
        "type": "object",
        "required": ["data"],
        "properties": {"event": {"type": "string"}, "data": {"type": "string", "contentMediaType": JSON}},
        "anyOf": [
            {
                "required": ["event"],
                "properties": {
                    "event": {"const": name},
                    "data": {"contentMediaType": JSON, "contentSchema": _ref(rel)},
                },
            }
            for name, rel in events
        ],
    }


def _ok(rel: str, description: str, *, stream: dict[str, Any] | None = None,
        links: dict[str, Any] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {JSON: {"schema": _ref(rel)}}
    if stream is not None:
        content[SSE] = {"itemSchema": stream}
    answer: dict[str, Any] = {"description": description, "content": content}
    if links:
        answer["links"] = links
    return answer


def _link(operation: str, description: str) -> dict[str, Any]:
    return {"operationId": operation, "parameters": {"response_id": "$response.body#/id"}, "description": description}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}


def _paths(events: list[tuple[str, str]]) -> dict[str, Any]:
    stream = _event_item(events)
    include = _query("include[]", {"type": "array", "items": {"type": "string"}}, "Extra output data to include.")
    created_links = {
        "RetrieveResponse": _link("getResponse", "The created response can be retrieved."),
        "ListInputItems": _link("listInputItems", "Its input items can be listed."),
        "CancelResponse": _link("cancelResponse", "It can be cancelled (only a background one)."),
        "DeleteResponse": _link("deleteResponse", "It can be deleted."),
    }
    after_delete = {
        "RetrieveDeleted": _link("getResponse", "A deleted response answers 404 (use after free)."),
        "ListInputItemsOfDeleted": _link("listInputItems", "A deleted response's input items answer 404."),
        "DeleteAgain": _link("deleteResponse", "Deleting it again answers 404."),
    }
    rid = _path_id("response_id")
    fid = _path_id("file_id")
    body = {"required": True, "content": {JSON: {"schema": _ref("requests/create.json")}}}
    return {
        "/responses": {"post": {
            "operationId": "createResponse", "summary": "Create a response (JSON, or an SSE stream when stream is true).",
            "requestBody": body,
            "responses": {"200": _ok("resources/response.json", "The response.", stream=stream, links=created_links),
                          **_errors("400", "401", "404", "429", "500")},
        }},
        "/responses/{response_id}": {
            "get": {
                "operationId": "getResponse", "summary": "Retrieve a response, or replay/resume its stream.",
                "parameters": [rid, include, _query("stream", {"type": "boolean"}, "Replay the stored stream."),
                               _query("starting_after", {"type": "integer", "minimum": 0}, "Resume after this sequence number."),
                               _query("include_obfuscation", {"type": "boolean"}, "Stream obfuscation padding.")],
                "responses": {"200": _ok("resources/response.json", "The response.", stream=stream),
                              **_errors("400", "401", "404", "429", "500")},
            },
            "delete": {
                "operationId": "deleteResponse", "summary": "Delete a stored response.", "parameters": [rid],
                "responses": {"200": _ok("resources/response_deleted.json", "Deleted.", links=after_delete),
                              **_errors("401", "404", "429", "500")},
            },
        },
        "/responses/{response_id}/cancel": {"post": {
            "operationId": "cancelResponse", "summary": "Cancel a background response.", "parameters": [rid],
            "responses": {"200": _ok("resources/response.json", "The cancelled (or finished) response."),
                          **_errors("400", "401", "404", "429", "500")},
        }},
        "/responses/{response_id}/input_items": {"get": {
            "operationId": "listInputItems", "summary": "List the input items of a response.",
            "parameters": [rid, include, _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size."),
                           _query("order", {"enum": ["asc", "desc"]}, "Sort order."),
                           _query("after", {"type": "string"}, "Page after this item id."),
                           _query("before", {"type": "string"}, "Page before this item id.")],
            "responses": {"200": _ok("resources/input_item_list.json", "A page of input items."),
                          **_errors("400", "401", "404", "429", "500")},
        }},
        "/responses/input_tokens": {"post": {
            "operationId": "countInputTokens", "summary": "Count the input tokens of a request (body as for create).",
            "requestBody": copy.deepcopy(body),
            "responses": {"200": _ok("resources/input_tokens.json", "The count."), **_errors("400", "401", "429", "500")},
        }},
        "/responses/compact": {"post": {
            "operationId": "compactResponse", "summary": "Compact a conversation (body as for create).",
            "requestBody": copy.deepcopy(body),
            "responses": {"200": _ok("resources/compaction.json", "The compacted items."), **_errors("400", "401", "429", "500")},
        }},
        "/files": {
            "get": {
                "operationId": "listFiles", "summary": "List files.",
                "parameters": [_query("purpose", {"type": "string"}, "Only files of this purpose."),
                               _query("limit", {"type": "integer", "minimum": 1, "maximum": 10000}, "Page size."),
                               _query("order", {"enum": ["asc", "desc"]}, "Sort order."),
                               _query("after", {"type": "string"}, "Page after this file id.")],
                "responses": {"200": _ok("resources/file_list.json", "A page of files."), **_errors("400", "401", "429", "500")},
            },
            "post": {
                "operationId": "createFile", "summary": "Upload a file.",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file", "purpose"],
                    "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"},
                                   "purpose": {"enum": ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]}},
                }}}},
                "responses": {"200": _ok("resources/file.json", "The file object.", links={
                    "RetrieveFile": {"operationId": "getFile", "parameters": {"file_id": "$response.body#/id"}},
                    "DeleteFile": {"operationId": "deleteFile", "parameters": {"file_id": "$response.body#/id"}},
                }), **_errors("400", "401", "429", "500")},
            },
        },
        "/files/{file_id}": {
            "get": {"operationId": "getFile", "summary": "Retrieve a file object.", "parameters": [fid],
                    "responses": {"200": _ok("resources/file.json", "The file object."), **_errors("401", "404", "429", "500")}},
            "delete": {"operationId": "deleteFile", "summary": "Delete a file.", "parameters": [fid],
                       "responses": {"200": _ok("resources/file_deleted.json", "Deleted."), **_errors("401", "404", "429", "500")}},
        },
        "/files/{file_id}/content": {"get": {
            "operationId": "getFileContent", "summary": "The file's bytes.", "parameters": [fid],
            "responses": {"200": {"description": "The bytes.", "content": {"application/octet-stream": {
                "schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}},
                **_errors("401", "404", "429", "500")},
        }},
    }


def build(root: Path) -> dict[str, Any]:
    """The OpenAPI document for the schema tree at ``root``."""
    components: dict[str, Any] = {}
    events: list[tuple[str, str]] = []
    for rel in schema_files(root):
        schema = json.loads((root / rel).read_text(encoding="utf-8"))
        entry = entry_for(rel, schema)
        components[component_name(rel)] = _rewrite(rel, schema)
        if entry["kind"] == "event" and "type" in entry:
            events.append((entry["type"], rel))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Responses API and Files API (responses-conformance contract)",
            "version": "1",
            "description": "Generated by `python -m conformance.contract._openapi` from schemas/; do not edit by hand.",
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/v1"}],
        "security": [{"apiKey": []}, {"bearer": []}],
        "paths": _paths(events),
        "components": {
            "schemas": components,
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "api-key"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }


def render(root: Path) -> str:
    return json.dumps(build(root), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    return generated_file_main(argv, "openapi.json", render, "conformance.contract._openapi")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
