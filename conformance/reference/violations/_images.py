"""Violations of the images checks: image inputs refused or crashing, generated images in the wrong shape."""

from __future__ import annotations

from typing import Any

from conformance.reference.errors import ApiError
from conformance.reference.violations._base import Exchange, violation
from conformance.reference.violations._shared import (
    error_field,
    first_sequence_number,
    input_parts,
    output_items,
    renumber,
    server_error,
)


def _refuse_data_urls(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    images = [p for p in input_parts(ex) if p.get("type") == "input_image" and str(p.get("image_url", "")).startswith("data:")]
    if status == 200 and ex.is_create and images:
        error = ApiError(400, "Invalid image_url: only http and https URLs are supported.", param="input",
                         code="invalid_image_url")
        return 400, error.envelope()
    return status, value


violation(
    "image-data-url-refused",
    "An input_image given as a base64 data URL is refused: the gateway accepts only http(s) image URLs.",
    caught_by=("image_input.data_url.accepted",),
    on_json=_refuse_data_urls,
)


def _crash_on_bad_image(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    if status == 400 and ex.is_create and "image_url" in str(error_field(value, "param") or ""):
        return 500, server_error()
    return status, value


violation(
    "image-bad-data-url-500",
    "An input_image whose data URL is not base64 makes the server fail with a 500 (the decoder's exception "
    "escapes) instead of a 400.",
    caught_by=("image_input.data_url.invalid_refused",),
    on_json=_crash_on_bad_image,
)


def _image_result_as_data_url(ex: Exchange, status: int, value: Any) -> tuple[int, Any]:
    for call in output_items(value, "image_generation_call") if status == 200 else []:
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
    return renumber(out, first_sequence_number(out))


violation(
    "image-partials-always-three",
    "Three partial_image events are streamed whatever partial_images asked for (the setting is not passed on).",
    caught_by=("image_generation.stream.partial_images",),
    on_events=_always_three_partials,
)
