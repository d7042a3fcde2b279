"""Violations of the tools and inputs checks: functions, structured output, images, files, MCP, reasoning.

Each imitates a bug seen in real servers, gateways or SDK fixtures and breaks exactly one check's rule.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from conformance.reference.files import FileInputError, decode_data_url, read_pdf
from conformance.reference.items import message, new_id
from conformance.reference.violations._base import Exchange, violation

Json = Any


def _error(status: int, message_: str, *, param: str | None = None, code: str | None = None,
           kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message_, "type": kind, "param": param, "code": code}}


def _server_error() -> tuple[int, Json]:
    return 500, _error(500, "The server had an error while processing your request.", kind="server_error")


def _inputs(ex: Exchange) -> list[dict[str, Any]]:
    raw = ex.body.get("input") if isinstance(ex.body, dict) else None
    return [x for x in raw if isinstance(x, dict)] if isinstance(raw, list) else []


def _parts(ex: Exchange) -> Iterator[dict[str, Any]]:
    for item in _inputs(ex):
        content = item.get("content")
        if isinstance(content, list):
            yield from (p for p in content if isinstance(p, dict))


def _tools(body: Any, kind: str) -> list[dict[str, Any]]:
    tools = body.get("tools") if isinstance(body, dict) else None
    return [t for t in tools if isinstance(t, dict) and t.get("type") == kind] if isinstance(tools, list) else []


def _has_input(ex: Exchange, kind: str) -> bool:
    return any(x.get("type") == kind for x in _inputs(ex))


def _output(value: Json, kind: str) -> list[dict[str, Any]]:
    out = value.get("output") if isinstance(value, dict) else None
    return [x for x in out if isinstance(x, dict) and x.get("type") == kind] if isinstance(out, list) else []


def _error_code(status: int, value: Json) -> str | None:
    if status < 400 or not isinstance(value, dict) or not isinstance(value.get("error"), dict):
        return None
    return str(value["error"].get("code") or "")


def _error_param(status: int, value: Json) -> str:
    if status < 400 or not isinstance(value, dict) or not isinstance(value.get("error"), dict):
        return ""
    return str(value["error"].get("param") or "")


def _stub_response(ex: Exchange, text: str) -> dict[str, Any]:
    """A completed response a server that skipped its own checks would send: one message, nothing else."""
    body = ex.body if isinstance(ex.body, dict) else {}
    words = len(text.split())
    return {
        "id": new_id("resp"), "object": "response", "created_at": int(time.time()), "status": "completed",
        "background": False, "error": None, "incomplete_details": None, "instructions": None,
        "max_output_tokens": body.get("max_output_tokens"), "model": body.get("model"),
        "output": [message(text)], "parallel_tool_calls": True,
        "previous_response_id": body.get("previous_response_id"),
        "reasoning": {"effort": None, "summary": None}, "store": body.get("store") is not False,
        "temperature": 1.0, "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
        "top_p": 1.0, "truncation": "disabled",
        "usage": {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": words,
                  "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 10 + words},
        "metadata": {},
    }


def _renumber(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contiguous sequence numbers again after events were added (so only the added events are wrong)."""
    first = next((e["sequence_number"] for e in events if isinstance(e.get("sequence_number"), int)), 0)
    return [{**e, "sequence_number": first + i} for i, e in enumerate(events)]


# -- functions ------------------------------------------------------------------------------------------


def _forced_function(ex: Exchange) -> bool:
    choice = ex.body.get("tool_choice") if isinstance(ex.body, dict) else None
    return ex.is_create and isinstance(choice, dict) and choice.get("type") == "function"


def _ignore_tool_choice(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and _forced_function(ex) and _output(value, "function_call"):
        value["output"] = [message("I can look that up for you if you like.")]
    return status, value


violation(
    "forced-tool-choice-ignored",
    "A tool_choice naming a function is ignored and the model answers in text (gateways that drop tool_choice "
    "when translating to another backend).",
    caught_by=("functions.tool_choice.forced_call",),
    on_json=_ignore_tool_choice,
)


def _drop_required_argument(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    for call in _output(value, "function_call") if status == 200 else []:
        arguments = json.loads(call["arguments"])
        if isinstance(arguments, dict) and arguments:
            arguments.pop(sorted(arguments)[-1])
            call["arguments"] = json.dumps(arguments)
    return status, value


violation(
    "function-arguments-miss-required",
    "A function call's arguments lack a required property of the declared strict schema (strict mode not "
    "enforced by the server, or a gateway's lossy re-serialisation).",
    caught_by=("functions.arguments.match_schema",),
    on_json=_drop_required_argument,
)


def _lose_chained_call(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and ex.is_create and _has_input(ex, "function_call_output"):
        call_id = next(x.get("call_id") for x in _inputs(ex) if x.get("type") == "function_call_output")
        return 400, _error(400, f"No tool call found for function call output with call_id {call_id}.",
                           param="input")
    return status, value


violation(
    "function-output-chain-lost",
    "A function_call_output sent with previous_response_id is refused as unknown (the gateway routed the "
    "follow-up to a backend that does not hold the previous response).",
    caught_by=("functions.round_trip.answer", "functions.round_trip.uses_output"),
    on_json=_lose_chained_call,
)


def _stringify_output(ex: Exchange) -> Any:
    for item in _inputs(ex):
        if item.get("type") == "function_call_output":
            item["output"] = "[object Object]"
    return ex.body


violation(
    "function-output-object-object",
    "The tool output reaches the model as '[object Object]' (a JavaScript gateway stringifying it), so the "
    "answer cannot use it.",
    caught_by=("functions.round_trip.uses_output",),
    on_request=_stringify_output,
)


def _double_argument_deltas(ex: Exchange, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**e, "delta": e["delta"] * 2} if e.get("type") == "response.function_call_arguments.delta" else e
        for e in events
    ]


violation(
    "function-argument-deltas-doubled",
    "Every function_call_arguments.delta is sent with its text twice (a proxy re-emitting the buffered chunk).",
    caught_by=("functions.stream.argument_deltas",),
    on_events=_double_argument_deltas,
)


def _flatten_tool_outputs(ex: Exchange) -> Any:
    if ex.is_create and isinstance(ex.body.get("input"), list):
        ex.body["input"] = [
            {"role": "user", "content": f"Tool result: {x.get('output')}"} if x.get("type") == "function_call_output" else x
            for x in ex.body["input"]
        ]
    return ex.body


violation(
    "function-output-flattened",
    "function_call_output items are flattened into user messages (a chat-completions adapter), so an unknown "
    "call_id is accepted instead of refused.",
    caught_by=("functions.call_id.unknown_refused",),
    on_request=_flatten_tool_outputs,
)


def _crash_on_unknown_call(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 400 and ex.is_create and _has_input(ex, "function_call_output") and "call_id" in str(value):
        return _server_error()
    return status, value


violation(
    "function-unknown-call-id-500",
    "A function_call_output with an unknown call_id makes the server fail with a 500 (an unhandled lookup error).",
    caught_by=("functions.call_id.unknown_refused",),
    on_json=_crash_on_unknown_call,
)


# -- structured output ----------------------------------------------------------------------------------


def _format_type(ex: Exchange) -> Any:
    text = ex.body.get("text") if isinstance(ex.body, dict) else None
    fmt = text.get("format") if isinstance(text, dict) else None
    return fmt.get("type") if isinstance(fmt, dict) else None


def _rewrite_text(value: Json, rewrite: Any) -> None:
    for item in _output(value, "message"):
        for part in item.get("content") or []:
            if isinstance(part, dict) and part.get("type") == "output_text":
                part["text"] = rewrite(part["text"])


def _fence_json(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and ex.is_create and _format_type(ex) == "json_schema":
        _rewrite_text(value, lambda t: f"```json\n{t}\n```")
    return status, value


violation(
    "structured-json-in-code-fence",
    "The json_schema answer comes wrapped in a markdown code fence (```json ... ```), so it is not JSON.",
    caught_by=("structured.json_schema.valid",),
    on_json=_fence_json,
)


def _reset_format(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and ex.is_create and _format_type(ex) == "json_schema" and isinstance(value.get("text"), dict):
        value["text"]["format"] = {"type": "text"}
    return status, value


violation(
    "structured-format-not-echoed",
    "The response's text.format says {type: text} although json_schema was requested (a gateway rebuilding the "
    "response object from a chat completion).",
    caught_by=("structured.json_schema.echoed",),
    on_json=_reset_format,
)


def _prose_before_json(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and ex.is_create and _format_type(ex) == "json_object":
        _rewrite_text(value, lambda t: "Here is the JSON you asked for: " + t)
    return status, value


violation(
    "structured-json-object-with-prose",
    "The json_object answer starts with prose before the object (JSON mode not enforced).",
    caught_by=("structured.json_object.valid",),
    on_json=_prose_before_json,
)


def _default_format_name(ex: Exchange) -> Any:
    fmt = (ex.body.get("text") or {}).get("format") if isinstance(ex.body.get("text"), dict) else None
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and "name" not in fmt:
        fmt["name"] = "response"
    return ex.body


violation(
    "structured-format-name-defaulted",
    "A json_schema format without a name is accepted because the gateway fills in a default name.",
    caught_by=("structured.json_schema.name_required",),
    on_request=_default_format_name,
)


# -- images ---------------------------------------------------------------------------------------------


def _refuse_data_urls(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    images = [p for p in _parts(ex) if p.get("type") == "input_image" and str(p.get("image_url", "")).startswith("data:")]
    if status == 200 and ex.is_create and images:
        return 400, _error(400, "Invalid image_url: only http and https URLs are supported.", param="input",
                           code="invalid_image_url")
    return status, value


violation(
    "image-data-url-refused",
    "An input_image given as a base64 data URL is refused: the gateway accepts only http(s) image URLs.",
    caught_by=("image_input.data_url.accepted",),
    on_json=_refuse_data_urls,
)


def _crash_on_bad_image(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 400 and ex.is_create and "image_url" in _error_param(status, value):
        return _server_error()
    return status, value


violation(
    "image-bad-data-url-500",
    "An input_image whose data URL is not base64 makes the server fail with a 500 (the decoder's exception "
    "escapes) instead of a 400.",
    caught_by=("image_input.data_url.invalid_refused",),
    on_json=_crash_on_bad_image,
)


def _image_result_as_data_url(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    for call in _output(value, "image_generation_call") if status == 200 else []:
        if isinstance(call.get("result"), str):
            call["result"] = "data:image/png;base64," + call["result"]
    return status, value


violation(
    "image-result-data-url",
    "The image_generation_call result is a data URL ('data:image/png;base64,...') instead of bare base64.",
    caught_by=("image_generation.result.decodable",),
    on_json=_image_result_as_data_url,
)


def _always_three_partials(ex: Exchange, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for event in events:
        out.append(event)
        if event.get("type") == "response.image_generation_call.partial_image":
            last = event
        if event.get("type") == "response.image_generation_call.completed" and out:
            sent = [e for e in out if e.get("type") == "response.image_generation_call.partial_image"
                    and e.get("item_id") == event.get("item_id")]
            extra = [{**last, "partial_image_index": k} for k in range(len(sent), 3)] if sent else []
            out[-1:-1] = extra
    return _renumber(out)


violation(
    "image-partials-always-three",
    "Three partial_image events are streamed whatever partial_images asked for (the setting is not passed on).",
    caught_by=("image_generation.stream.partial_images",),
    on_events=_always_three_partials,
)


# -- files ----------------------------------------------------------------------------------------------


def _file_parts(ex: Exchange) -> list[dict[str, Any]]:
    return [p for p in _parts(ex) if p.get("type") == "input_file"] if ex.is_create else []


def _pdf_pages(parts: list[dict[str, Any]]) -> list[int]:
    """The page count of every inline PDF (0 for what is not one)."""
    pages = []
    for part in parts:
        try:
            _, data = decode_data_url(str(part.get("file_data", "")))
            pages.append(read_pdf(data).pages)
        except FileInputError:
            pages.append(0)
    return pages


def _inline_bytes(parts: list[dict[str, Any]]) -> int:
    total = 0
    for part in parts:
        raw = str(part.get("file_data", "")).partition(",")[2]
        total += len(raw) * 3 // 4
    return total


def _refuse_input_file(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and any("file_data" in p for p in _file_parts(ex)):
        return 400, _error(400, "Invalid value: 'input_file'. Supported values are: 'input_text' and 'input_image'.",
                           param="input[0].content[1].type", code="invalid_value")
    return status, value


violation(
    "file-data-input-refused",
    "An input_file with base64 file_data is refused as an unknown content type (a gateway whose schema only "
    "knows input_text and input_image).",
    caught_by=("files.input.base64_pdf",),
    on_json=_refuse_input_file,
)


def _drop_file_parts(ex: Exchange) -> Any:
    for item in _inputs(ex):
        if isinstance(item.get("content"), list):
            item["content"] = [p for p in item["content"] if not (isinstance(p, dict) and p.get("type") == "input_file")]
    return ex.body


violation(
    "file-parts-dropped",
    "input_file parts are silently dropped before the model (a chat-completions adapter without file support), "
    "so the answer cannot use the document.",
    caught_by=("files.input.pdf_text_reaches_model",),
    on_request=_drop_file_parts,
)


def _file_id_not_found(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    fid = next((p["file_id"] for p in _parts(ex) if isinstance(p.get("file_id"), str)), None)
    if status == 200 and ex.is_create and fid is not None:
        return 400, _error(400, f"File with id '{fid}' not found.", param="input", code="file_not_found")
    return status, value


violation(
    "file-id-not-found",
    "A file_id input (PDF or image) is refused as not found: the file was uploaded to another backend than the "
    "one answering (a load-balanced gateway across regions).",
    caught_by=("files.input.file_id", "files.purpose.user_data", "image_input.file_id.accepted"),
    on_json=_file_id_not_found,
)


def _refuse_user_data(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if ex.method == "POST" and ex.route == "/files" and status == 200 and value.get("purpose") == "user_data":
        return 400, _error(400, "Invalid purpose 'user_data': expected one of assistants, batch, fine-tune, vision.",
                           param="purpose", code="invalid_purpose")
    return status, value


violation(
    "upload-purpose-user-data-refused",
    "An OpenAI-profile server refuses uploads with purpose user_data (it knows only the older purposes).",
    caught_by=("files.purpose.user_data",),
    on_json=_refuse_user_data,
)


def _accept_unknown_purpose(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if ex.method == "POST" and ex.route == "/files" and _error_code(status, value) == "invalid_purpose":
        meta = {"id": new_id("file", sep="-"), "object": "file", "bytes": 0, "created_at": int(time.time()),
                "filename": "upload", "purpose": "assistants", "status": "processed", "status_details": None,
                "expires_at": None}
        return 200, meta
    return status, value


violation(
    "upload-purpose-unchecked",
    "An upload with an unknown purpose is stored anyway (the purpose is not validated).",
    caught_by=("files.purpose.unknown_refused",),
    on_json=_accept_unknown_purpose,
)


def _off_by_one_pages(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and sum(_pdf_pages(_file_parts(ex))) >= 100:
        return 400, _error(400, "The file inputs of this request have too many pages; at most 100 are allowed.",
                           param="input", code="too_many_pages")
    return status, value


violation(
    "page-limit-off-by-one",
    "The page limit is checked with >= instead of >, so file inputs of exactly 100 pages are refused.",
    caught_by=("files.limits.pages_accepted",),
    on_json=_off_by_one_pages,
)


def _pages_unchecked(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if _error_code(status, value) == "too_many_pages":
        return 200, _stub_response(ex, "The document is long.")
    return status, value


violation(
    "page-limit-not-enforced",
    "File inputs over 100 pages are accepted (the page limit is not enforced).",
    caught_by=("files.limits.pages_refused", "files.limits.pages_per_request"),
    on_json=_pages_unchecked,
)


def _pages_per_file(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if _error_code(status, value) == "too_many_pages" and all(n <= 100 for n in _pdf_pages(_file_parts(ex))):
        return 200, _stub_response(ex, "The documents are long.")
    return status, value


violation(
    "page-limit-per-file",
    "The 100-page limit is applied to each file, not to all file inputs of the request together.",
    caught_by=("files.limits.pages_per_request",),
    on_json=_pages_per_file,
)


def _body_limit_413(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and _inline_bytes(_file_parts(ex)) > 30 * 1024 * 1024:
        return 413, _error(413, "Request Entity Too Large.", code="request_too_large")
    return status, value


violation(
    "size-limit-on-encoded-body",
    "The 32 MB limit is applied to the base64 request body instead of the file content, so a 31.9 MB PDF "
    "(about 43 MB encoded) is refused with 413.",
    caught_by=("files.limits.size_accepted",),
    on_json=_body_limit_413,
)


def _oversize_crash(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if _error_code(status, value) == "file_too_large":
        return _server_error()
    return status, value


violation(
    "oversize-file-500",
    "File inputs over 32 MB make the server fail with a 500 (out of memory) instead of a 400.",
    caught_by=("files.limits.size_refused",),
    on_json=_oversize_crash,
)


# -- MCP ------------------------------------------------------------------------------------------------


def _default_never(ex: Exchange) -> Any:
    for tool in _tools(ex.body, "mcp"):
        tool.setdefault("require_approval", "never")
    return ex.body


violation(
    "mcp-default-never",
    "An MCP tool without require_approval is called at once: the server defaults to never instead of always.",
    caught_by=("mcp.approval.requested_by_default",),
    on_request=_default_never,
)


def _unlink_call(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if status == 200 and ex.is_create and _has_input(ex, "mcp_approval_response"):
        for call in _output(value, "mcp_call"):
            call["approval_request_id"] = None
    return status, value


violation(
    "mcp-call-unlinked",
    "The mcp_call run after an approval does not carry the approval_request_id it answers.",
    caught_by=("mcp.approval.approve_calls",),
    on_json=_unlink_call,
)


def _denial_ignored(ex: Exchange) -> Any:
    for item in _inputs(ex):
        if item.get("type") == "mcp_approval_response":
            item["approve"] = True
    return ex.body


violation(
    "mcp-denial-ignored",
    "A denied approval (approve: false) runs the tool anyway (a gateway coercing the boolean, e.g. bool('false')).",
    caught_by=("mcp.approval.deny_no_call",),
    on_request=_denial_ignored,
)


def _drop_require_approval(ex: Exchange) -> Any:
    for tool in _tools(ex.body, "mcp"):
        tool.pop("require_approval", None)
    return ex.body


violation(
    "mcp-require-approval-dropped",
    "require_approval is dropped on the way to the server (a gateway passing only the fields it knows), so "
    "'never' still asks for approval.",
    caught_by=("mcp.require_approval.never_calls",),
    on_request=_drop_require_approval,
)


def _drop_headers(ex: Exchange) -> Any:
    for tool in _tools(ex.body, "mcp"):
        tool.pop("headers", None)
    return ex.body


violation(
    "mcp-headers-dropped",
    "The MCP tool's headers never reach the MCP server (a gateway stripping them as secrets).",
    caught_by=("mcp.headers.forwarded",),
    on_request=_drop_headers,
)


def _echo_headers(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    sent = _tools(ex.body, "mcp") if ex.is_create else []
    if status == 200 and sent and isinstance(value.get("tools"), list):
        value["tools"] = [
            {**tool, "headers": sent[i].get("headers")} if tool.get("type") == "mcp" and i < len(sent) else tool
            for i, tool in enumerate(value["tools"])
        ]
    return status, value


violation(
    "mcp-headers-echoed",
    "The response echoes the MCP tool's header values (credentials) in its tools.",
    caught_by=("mcp.headers.not_echoed",),
    on_json=_echo_headers,
)


def _approval_remembered(ex: Exchange) -> Any:
    later = ex.is_create and isinstance(ex.body.get("previous_response_id"), str)
    if later and not _has_input(ex, "mcp_approval_response"):
        for tool in _tools(ex.body, "mcp"):
            tool["require_approval"] = "never"
    return ex.body


violation(
    "mcp-approval-remembered",
    "Once one call was approved, later tool uses in the chain run without asking (approval cached per server).",
    caught_by=("mcp.approval.second_in_chain",),
    on_request=_approval_remembered,
)


# -- encrypted reasoning --------------------------------------------------------------------------------


def _include_ignored(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    for item in _output(value, "reasoning") if status == 200 else []:
        item.pop("encrypted_content", None)
    return status, value


violation(
    "reasoning-encrypted-content-missing",
    "include reasoning.encrypted_content is ignored: reasoning items come back without encrypted_content.",
    caught_by=("reasoning.encrypted.returned",),
    on_json=_include_ignored,
)


def _replay_not_found(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    replayed = [x for x in _inputs(ex) if x.get("type") == "reasoning"]
    if status == 200 and ex.is_create and replayed and ex.body.get("store") is False:
        rid = replayed[0].get("id")
        return 404, _error(
            404, f"Item with id '{rid}' not found. Items are not persisted when `store` is set to false. Try again "
            "with `store` set to true, or remove this item from your input.", param="input",
        )
    return status, value


violation(
    "reasoning-replay-looked-up",
    "A reasoning item passed back with store false is looked up in storage instead of decrypted, and refused "
    "as not found.",
    caught_by=("reasoning.encrypted.round_trip",),
    on_json=_replay_not_found,
)


def _tamper_crash(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if _error_code(status, value) == "invalid_encrypted_content":
        return _server_error()
    return status, value


violation(
    "reasoning-tampered-500",
    "Altered encrypted_content makes the server fail with a 500 (the decryption error escapes) instead of a 400.",
    caught_by=("reasoning.encrypted.tampered_refused",),
    on_json=_tamper_crash,
)


def _tamper_unverified(ex: Exchange, status: int, value: Json) -> tuple[int, Json]:
    if _error_code(status, value) == "invalid_encrypted_content":
        return 200, _stub_response(ex, "9")
    return status, value


violation(
    "reasoning-tampered-accepted",
    "Altered encrypted_content is accepted: the reasoning item is not authenticated (no MAC check).",
    caught_by=("reasoning.encrypted.tampered_refused",),
    on_json=_tamper_unverified,
)
