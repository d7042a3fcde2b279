"""Legal variations of the reference server (``serve --vary NAME``): what real servers do that the contract
allows, each of which must leave every verdict of the suite unchanged."""

from conformance.reference.variations import _context, _fields, _keepalive, _params, _wire  # noqa: F401  (register)
from conformance.reference.variations._base import (
    VARIATIONS,
    LegalVariation,
    VaryingMiddleware,
    unknown_variations,
    variation,
)

__all__ = ["VARIATIONS", "LegalVariation", "VaryingMiddleware", "unknown_variations", "variation"]
