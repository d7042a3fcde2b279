"""Deterministic PNGs for the image generation tool."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conformance.reference.images import png

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_result_is_a_real_png_of_the_asked_size():
    data = png("a red fox", size=48)
    assert data.startswith(SIGNATURE)
    image = _decode(data)
    assert (image.format, image.size, image.mode) == ("PNG", (48, 48), "RGB")


def test_the_default_is_a_small_64_pixel_image():
    image = _decode(png("a red fox"))
    assert image.size == (64, 64)
    assert len(png("a red fox")) < 4_000


def test_same_inputs_give_the_same_bytes():
    assert png("a red fox", 64, 1) == png("a red fox", 64, 1)
    assert png("a red fox") == png("a red fox")


def test_different_seeds_give_different_images():
    assert _decode(png("a red fox")).tobytes() != _decode(png("a blue whale")).tobytes()


def test_partial_stages_are_visibly_different_images_of_the_same_size():
    images = [_decode(png("a red fox", 64, stage)) for stage in (0, 1, 2, None)]
    assert {image.size for image in images} == {(64, 64)}
    pixels = [image.tobytes() for image in images]
    assert len(set(pixels)) == 4


@pytest.mark.parametrize(("size", "stage"), [(4, None), (2048, None), (64, 3), (64, -1)])
def test_out_of_range_arguments_are_refused(size, stage):
    with pytest.raises(ValueError):
        png("x", size, stage)
