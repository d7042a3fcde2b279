"""Deterministic small PNGs (drawn with Pillow) for the image generation tool and its partial images."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageOps

PARTIAL_STAGES = 3


def png(seed: str, size: int = 64, stage: int | None = None) -> bytes:
    """A square PNG of ``size`` pixels drawn from ``seed``; stages 0..2 are ever finer previews of the final image."""
    if not 8 <= size <= 1024:
        raise ValueError("size must be between 8 and 1024 pixels")
    if stage is not None and not 0 <= stage < PARTIAL_STAGES:
        raise ValueError(f"stage must be between 0 and {PARTIAL_STAGES - 1}")
    image = _draw(hashlib.sha256(seed.encode("utf-8")).digest(), size)
    if stage is not None:
        coarse = max(1, size >> (PARTIAL_STAGES - stage))
        image = image.resize((coarse, coarse), Image.Resampling.BOX).resize(
            (size, size), Image.Resampling.NEAREST
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _draw(digest: bytes, size: int) -> Image.Image:
    """A diagonal two-colour gradient with a disc, all colours and positions taken from ``digest``."""
    vertical = Image.linear_gradient("L")
    gradient = Image.blend(vertical, vertical.transpose(Image.Transpose.ROTATE_90), 0.5)
    image = ImageOps.colorize(gradient.resize((size, size)), black=_rgb(digest, 0), white=_rgb(digest, 3))
    radius = size // 4 + digest[6] % (size // 4 + 1)
    cx, cy = digest[7] % size, digest[8] % size
    ImageDraw.Draw(image).ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=_rgb(digest, 9))
    return image


def _rgb(digest: bytes, offset: int) -> tuple[int, int, int]:
    return digest[offset], digest[offset + 1], digest[offset + 2]
