"""Images: input by data URL and by uploaded file_id; generation through the image_generation tool."""

from __future__ import annotations

import base64
from typing import Any

from conformance.checks._answers import (
    answered,
    completed,
    image_format,
    items,
    refused,
    room,
    streamed,
    text,
    user,
)
from conformance.checks._check import Skipped, Tier, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.client import ResponsesClient
from conformance.fixtures import make_png
from conformance.matrix import Cell

INPUT_SPEC = "openai-openapi.yaml InputImageContent (image_url, file_id); Azure Responses how-to: image input"
# Image generation runs gpt-image-1 (costly): full tier. The open-responses profile has no image_generation tool.
GENERATION_SPEC = (
    "openai-openapi.yaml ImageGenTool (partial_images 0-3), ImageGenToolCall, "
    "ResponseImageGenCallPartialImageEvent; Azure Responses how-to: image generation"
)
QUESTION = "What colour is this image? Answer with one word."
PARTIAL_IMAGES = 2
IMAGE_TOOL = {"type": "image_generation", "size": "1024x1024", "quality": "low"}


def _data_url(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


@check("image_input.data_url.accepted", spec=INPUT_SPEC, requires=("vision",))
def test_image_given_as_data_url_is_accepted(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An input_image given as a base64 data URL MUST be accepted and answered."""
    image = {"type": "input_image", "image_url": _data_url(make_png()), "detail": "low"}
    body = {"input": [user(text(QUESTION), image)], **room(cell, 32)}
    response = answered(client.create(body), judge, "an input_image given as a data URL")
    expect(bool(items(response, "message")), "the image question got no assistant message",
           actual=[x.get("type") for x in response["output"]])


@check("image_input.file_id.accepted", spec=INPUT_SPEC + " (purpose vision)", requires=("vision", "file_upload"))
def test_image_uploaded_as_a_file_is_accepted_by_file_id(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An image uploaded with purpose vision MUST be accepted as an input_image by its file_id."""
    upload = client.upload_file("red.png", make_png(), "vision", "image/png")
    expect(upload.ok, "the image upload (purpose vision) was not accepted", expected="200 with a file object",
           actual=f"{upload.status_code} {upload.text[:200]}")
    uploaded = judge.object(upload.body, "file", "the uploaded file object does not conform")
    image = {"type": "input_image", "file_id": uploaded["id"], "detail": "low"}
    body = {"input": [user(text(QUESTION), image)], **room(cell, 32)}
    answered(client.create(body), judge, "an input_image referenced by file_id")


@check("image_input.data_url.invalid_refused", owns=ENVELOPE, spec=INPUT_SPEC, requires=("vision",))
def test_image_data_url_that_is_not_base64_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An input_image whose data URL does not hold valid base64 MUST be refused with a 4xx error."""
    image = {"type": "input_image", "image_url": "data:image/png;base64,@@not*base64@@", "detail": "low"}
    body = {"input": [user(text(QUESTION), image)], **room(cell, 32)}
    refused(client.create(body), judge, "an input_image with a data URL that is not base64")


def _image_tool_usable(cell: Cell) -> None:
    if cell.profile == "azure" and not cell.image_deployment:
        raise Skipped("no gpt-image-1 deployment for the x-ms-oai-image-generation-deployment header (image_deployment)")


def _generation(cell: Cell, **tool: Any) -> dict[str, Any]:
    return {
        "input": "Draw a simple red circle on a white background.",
        "tools": [{**IMAGE_TOOL, **tool}],
        "tool_choice": {"type": "image_generation"},
        **room(cell, 64),
    }


@check("image_generation.result.decodable", spec=GENERATION_SPEC, requires=("image_generation",),
       profiles=("openai", "azure"), tier=Tier.full)
def test_generated_image_is_a_decodable_base64_image(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A forced image_generation call MUST return its result as the base64 of a PNG, JPEG, WebP or GIF image."""
    _image_tool_usable(cell)
    response = completed(client.create(_generation(cell)), judge, "a request forcing the image_generation tool")
    calls = items(response, "image_generation_call")
    expect(bool(calls), "the forced image_generation tool gave no image_generation_call",
           actual=[x.get("type") for x in response["output"]])
    result = calls[0].get("result")
    expect(image_format(result) is not None, "the image_generation_call result is not a base64 image",
           expected="base64 of a PNG, JPEG, WebP or GIF", actual=str(result)[:60])


@check("image_generation.stream.partial_images", spec=GENERATION_SPEC, requires=("image_generation", "streaming"),
       profiles=("openai", "azure"), tier=Tier.full)
def test_streamed_generation_sends_the_requested_partial_images(
    cell: Cell, client: ResponsesClient, judge: Judge
) -> None:
    """A streamed generation with partial_images N MUST send 1 to N partial_image events, indexed from 0, each an image."""
    _image_tool_usable(cell)
    with client.stream(_generation(cell, partial_images=PARTIAL_IMAGES)) as stream:
        events = streamed(stream, judge, "a streamed image generation with partial_images")
    partials = [e for e in events if e.get("type") == "response.image_generation_call.partial_image"]
    expect(1 <= len(partials) <= PARTIAL_IMAGES, "the number of partial_image events is out of range",
           expected=f"1 to {PARTIAL_IMAGES}", actual=len(partials))
    indexes = [e.get("partial_image_index") for e in partials]
    expect(indexes == list(range(len(partials))), "the partial images are not indexed 0, 1, ... in order",
           expected=list(range(len(partials))), actual=indexes)
    broken = [e.get("partial_image_index") for e in partials if image_format(e.get("partial_image_b64")) is None]
    expect(not broken, "a partial image is not a base64 image", expected="base64 images", actual=f"indexes {broken}")
