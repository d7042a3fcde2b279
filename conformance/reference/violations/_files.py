"""Violations of the files checks: file inputs, uploads and their page and size limits."""

from __future__ import annotations

import time
from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.files import FileInputError, decode_data_url, read_pdf
from conformance.reference.items import new_id
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import (
    input_parts,
    is_error,
    request_items,
    server_error,
    stub_response,
)


def _file_parts(ex: Exchange) -> list[dict[str, Any]]:
    return [p for p in input_parts(ex) if p.get("type") == "input_file"] if ex.is_create else []


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


def _refuse_input_file(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and any("file_data" in p for p in _file_parts(ex)):
        error = ApiError(400, "Invalid value: 'input_file'. Supported values are: 'input_text' and 'input_image'.",
                         param="input[0].content[1].type", code="invalid_value")
        return 400, error.envelope()
    return status, value


violation(
    "file-data-input-refused",
    "An input_file with base64 file_data is refused as an unknown content type (a gateway whose schema only "
    "knows input_text and input_image).",
    caught_by=("files.input.base64_pdf", "files.limits.pages_refused", "files.limits.size_refused"),
    on_json=_refuse_input_file,
)


def _drop_file_parts(ex: Exchange) -> Any:
    for item in request_items(ex):
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


def _file_id_not_found(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    fid = next((p["file_id"] for p in input_parts(ex) if isinstance(p.get("file_id"), str)), None)
    if status == 200 and ex.is_create and fid is not None:
        return 400, ApiError(400, f"File with id '{fid}' not found.", param="input", code="file_not_found").envelope()
    return status, value


violation(
    "file-id-not-found",
    "A file_id input (PDF or image) is refused as not found: the file was uploaded to another backend than the "
    "one answering (a load-balanced gateway across regions).",
    caught_by=("files.input.file_id", "files.purpose.user_data", "image_input.file_id.accepted"),
    on_json=_file_id_not_found,
)


def _refuse_user_data(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.method == "POST" and ex.route == "/files" and status == 200 and value.get("purpose") == "user_data":
        error = ApiError(400, "Invalid purpose 'user_data': expected one of assistants, batch, fine-tune, vision.",
                         param="purpose", code="invalid_purpose")
        return 400, error.envelope()
    return status, value


violation(
    "upload-purpose-user-data-refused",
    "An OpenAI-profile server refuses uploads with purpose user_data (it knows only the older purposes).",
    caught_by=("files.purpose.user_data",),
    on_json=_refuse_user_data,
)


def _accept_unknown_purpose(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if ex.method == "POST" and ex.route == "/files" and is_error(status, value, "invalid_purpose"):
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


def _off_by_one_pages(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and sum(_pdf_pages(_file_parts(ex))) >= 100:
        error = ApiError(400, "The file inputs of this request have too many pages; at most 100 are allowed.",
                         param="input", code="too_many_pages")
        return 400, error.envelope()
    return status, value


violation(
    "page-limit-off-by-one",
    "The page limit is checked with >= instead of >, so file inputs of exactly 100 pages are refused.",
    caught_by=("files.limits.pages_accepted",),
    on_json=_off_by_one_pages,
)


def _pages_unchecked(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_error(status, value, "too_many_pages"):
        return 200, stub_response(ex, "The document is long.")
    return status, value


violation(
    "page-limit-not-enforced",
    "File inputs over 100 pages are accepted (the page limit is not enforced).",
    caught_by=("files.limits.pages_refused", "files.limits.pages_per_request"),
    on_json=_pages_unchecked,
)


def _pages_per_file(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_error(status, value, "too_many_pages") and all(n <= 100 for n in _pdf_pages(_file_parts(ex))):
        return 200, stub_response(ex, "The documents are long.")
    return status, value


violation(
    "page-limit-per-file",
    "The 100-page limit is applied to each file, not to all file inputs of the request together.",
    caught_by=("files.limits.pages_per_request",),
    on_json=_pages_per_file,
)


def _body_limit_413(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and _inline_bytes(_file_parts(ex)) > 30 * 1024 * 1024:
        return 413, ApiError(413, "Request Entity Too Large.", code="request_too_large").envelope()
    return status, value


violation(
    "size-limit-on-encoded-body",
    "The 32 MB limit is applied to the base64 request body instead of the file content, so a 31.9 MB PDF "
    "(about 43 MB encoded) is refused with 413.",
    caught_by=("files.limits.size_accepted",),
    on_json=_body_limit_413,
)


def _oversize_crash(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if is_error(status, value, "file_too_large"):
        return 500, server_error()
    return status, value


violation(
    "oversize-file-500",
    "File inputs over 32 MB make the server fail with a 500 (out of memory) instead of a 400.",
    caught_by=("files.limits.size_refused",),
    on_json=_oversize_crash,
)


def _one_file_only(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 200 and len(_file_parts(ex)) > 1:
        error = ApiError(400, "Only one input_file is supported per request.", param="input", code="invalid_value")
        return 400, error.envelope()
    return status, value


violation(
    "second-file-input-refused",
    "A request with more than one file input is refused with a 400, however small the files (an adapter that "
    "maps a request to one document upload), so a refusal of 101 pages over two files proves nothing.",
    caught_by=("files.limits.two_files_accepted", "files.limits.pages_per_request"),
    on_json=_one_file_only,
)

PROXY_BODY_LIMIT = 44_000_000  # bytes of base64 file data: the 32 MiB + 64 KiB PDF has ~44.8 MB, 32 MB - 64 KiB ~42.6 MB


def _proxy_413(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    encoded = sum(len(str(p.get("file_data", ""))) for p in _file_parts(ex))
    if encoded > PROXY_BODY_LIMIT:
        return 413, ApiError(413, "Request Entity Too Large", code="request_entity_too_large").envelope()
    return status, value


violation(
    "proxy-body-limit-413",
    "A reverse proxy in front of the API refuses request bodies over 44 MB with its own 413, so the API's own "
    "32 MB limit (a 400) is never what answers an oversized file input.",
    caught_by=("files.limits.size_refused",),
    on_json=_proxy_413,
)
