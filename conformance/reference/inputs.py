"""Input items: normalised to stored items with ids; images and files resolved into what the model sees."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from conformance.reference import files
from conformance.reference.errors import ApiError, bad_request
from conformance.reference.items import new_id
from conformance.reference.store import Store

_PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
    "mcp_approval_response": "mcpa",
    "mcp_approval_request": "mcpr",
    "mcp_list_tools": "mcpl",
    "mcp_call": "mcp",
    "image_generation_call": "ig",
    "item_reference": "ref",
}


def normalize(raw: Any) -> list[dict[str, Any]]:
    """The input as a list of typed items with ids (a string becomes one user message)."""
    items: list[dict[str, Any]] = [{"role": "user", "content": raw}] if isinstance(raw, str) else list(raw or [])
    out: list[dict[str, Any]] = []
    for item in items:
        item = dict(item)
        kind = item.setdefault("type", "message")
        if kind == "message":
            role = item.get("role", "user")
            text_type = "output_text" if role == "assistant" else "input_text"
            if isinstance(item.get("content"), str):
                part: dict[str, Any] = {"type": text_type, "text": item["content"]}
                if text_type == "output_text":
                    part["annotations"] = []
                item["content"] = [part]
            item.setdefault("status", "completed")
        item.setdefault("id", new_id(_PREFIX.get(kind, "item")))
        out.append(item)
    return out


def item_text(item: dict[str, Any]) -> str:
    """The plain text an item contributes to the conversation."""
    kind = item.get("type")
    if kind == "message":
        parts = item.get("content", [])
        return " ".join(p.get("text", "") for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str))
    if kind in ("function_call_output", "mcp_call"):
        output = item.get("output")
        return output if isinstance(output, str) else ""
    if kind == "function_call":
        return str(item.get("arguments", ""))
    return ""


@dataclass
class Attachments:
    """Descriptions of the images and files of one request, and their totals for the limits."""

    notes: list[str] = field(default_factory=list)
    total_bytes: int = 0
    total_pages: int = 0


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return None


def _describe_image(mime: str, data: bytes) -> str:
    size = _png_size(data)
    shape = f" of {size[0]}x{size[1]} pixels" if size else ""
    return f"The image is a {mime} image{shape} ({len(data)} bytes)."


def _file_error(exc: files.FileInputError, param: str) -> ApiError:
    return bad_request(exc.message, exc.param or param, exc.code)


def _stored_file(store: Store, fid: Any, param: str) -> tuple[dict[str, Any], bytes]:
    if not isinstance(fid, str):
        raise bad_request("file_id must be a string.", param, "invalid_type")
    meta, data = store.get_file(fid), store.file_data(fid)
    if meta is None or data is None:
        raise bad_request(f"File with id '{fid}' not found.", param, "file_not_found")
    return meta, data


def _image(part: dict[str, Any], store: Store, param: str) -> str:
    url = part.get("image_url")
    if isinstance(url, str) and url.startswith("data:"):
        try:
            mime, data = files.decode_data_url(url)
        except files.FileInputError as exc:
            raise _file_error(exc, param + ".image_url") from None
        return _describe_image(mime, data)
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return f"The image at {url.split('?', 1)[0]} is referenced by URL (the reference server never fetches it)."
    if part.get("file_id") is not None:
        meta, data = _stored_file(store, part["file_id"], param + ".file_id")
        return _describe_image(str(meta.get("filename", "image")), data)
    raise bad_request("An input_image needs an image_url (data or http(s) URL) or a file_id.", param, "missing_required_parameter")


def _file(part: dict[str, Any], store: Store, param: str, acc: Attachments) -> str:
    name = part.get("filename")
    mime = ""
    if isinstance(part.get("file_data"), str):
        raw = part["file_data"]
        try:
            mime, data = files.decode_data_url(raw if raw.startswith("data:") else "data:application/pdf;base64," + raw)
        except files.FileInputError as exc:
            raise _file_error(exc, param + ".file_data") from None
    elif part.get("file_id") is not None:
        meta, data = _stored_file(store, part["file_id"], param + ".file_id")
        name = name or meta.get("filename")
    elif isinstance(part.get("file_url"), str):
        return f"The file at {part['file_url'].split('?', 1)[0]} is referenced by URL (not fetched)."
    else:
        raise bad_request("An input_file needs file_data, file_id or file_url.", param, "missing_required_parameter")
    acc.total_bytes += len(data)
    pdf = data.startswith(b"%PDF") or mime == "application/pdf" or str(name or "").lower().endswith(".pdf")
    if not pdf:
        text = data[:2000].decode("utf-8", errors="replace")
        return f'The file {name or "file"} ({len(data)} bytes) says: "{" ".join(text.split()[:40])}".'
    try:
        info = files.read_pdf(data)
    except files.FileInputError as exc:
        raise _file_error(exc, param) from None
    acc.total_pages += info.pages
    excerpt = " ".join(info.text.split()[:40])
    return f'The file {name or "document.pdf"} is a PDF with {info.pages} page(s). It says: "{excerpt}".'


def attachments(items: list[dict[str, Any]], store: Store) -> Attachments:
    """Resolve the images and files of a request; enforce the 100-page and 32 MB limits."""
    acc = Attachments()
    for i, item in enumerate(items):
        content = item.get("content") if item.get("type") == "message" else None
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            param = f"input[{i}].content[{j}]"
            if not isinstance(part, dict):
                continue
            if part.get("type") == "input_image":
                acc.notes.append(_image(part, store, param))
            elif part.get("type") == "input_file":
                acc.notes.append(_file(part, store, param, acc))
    try:
        files.check_request_limits(acc.total_bytes, acc.total_pages)
    except files.FileInputError as exc:
        raise _file_error(exc, "input") from None
    return acc
