"""File inputs: base64 data URLs, PDFs read with pypdf, the per-request limits and upload purposes.

``make_pdf`` lives in :mod:`conformance.fixtures` (the checks build their PDFs with it too); it is re-exported here.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

from pypdf import PdfReader

from conformance.fixtures import make_pdf as make_pdf

MAX_PAGES = 100
MAX_BYTES = 32 * 1024 * 1024

_PURPOSES = {
    "azure": frozenset(
        {
            "assistants",
            "assistants_output",
            "batch",
            "batch_output",
            "evals",
            "fine-tune",
            "fine-tune-results",
            "vision",
        }
    ),
    "openai": frozenset({"assistants", "batch", "evals", "fine-tune", "user_data", "vision"}),
}
_AZURE_USER_DATA = (
    "Uploading a file with purpose 'user_data' is not supported on Azure OpenAI "
    "(PDF input with purpose 'user_data' is a known issue); upload it with purpose 'assistants' instead."
)


class FileInputError(Exception):
    """A file input or upload the API refuses with a 400; ``param`` and ``code`` go in the envelope."""

    def __init__(self, message: str, *, param: str | None = None, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


@dataclass(frozen=True)
class PdfInfo:
    """What the model gets from a PDF: its page count and extracted text (pages joined by newlines)."""

    pages: int
    text: str


def decode_data_url(url: str) -> tuple[str, bytes]:
    """The mime type and bytes of a ``data:<mime>;base64,<data>`` URL; FileInputError if malformed."""
    head, comma, data = url.partition(",")
    if not head.startswith("data:") or not comma or not head.endswith(";base64"):
        raise FileInputError("Expected a base64 data URL of the form 'data:<mime type>;base64,<data>'.")
    mime = head[len("data:") : -len(";base64")].split(";")[0].strip().lower()
    try:
        return mime or "text/plain", base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise FileInputError("The data URL does not hold valid base64 data.") from None


def read_pdf(data: bytes) -> PdfInfo:
    """Count the pages of a PDF and extract its text; FileInputError ``invalid_file`` if it is not a PDF."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        texts = [page.extract_text() for page in reader.pages]
    except Exception as exc:  # untrusted input: pypdf raises many exception types on broken files
        raise FileInputError(f"The file could not be read as a PDF: {exc}", code="invalid_file") from None
    return PdfInfo(pages=len(texts), text="\n".join(texts))


def check_request_limits(total_bytes: int, total_pages: int) -> None:
    """Enforce the documented limits over all file inputs of one request: 32 MB and 100 pages."""
    if total_bytes > MAX_BYTES:
        raise FileInputError(
            f"The file inputs of this request hold {total_bytes} bytes; at most 32 MB ({MAX_BYTES} bytes) "
            "of file content is allowed in one request.",
            param="input",
            code="file_too_large",
        )
    if total_pages > MAX_PAGES:
        raise FileInputError(
            f"The file inputs of this request have {total_pages} pages; at most {MAX_PAGES} pages "
            "are allowed in one request.",
            param="input",
            code="too_many_pages",
        )


def check_purpose(flavor: str, purpose: str) -> None:
    """Accept an upload purpose the flavor's Files API accepts; Azure refuses ``user_data`` as its docs say."""
    if flavor not in _PURPOSES:
        raise ValueError(f"unknown flavor {flavor!r}: expected 'azure' or 'openai'")
    if flavor == "azure" and purpose == "user_data":
        raise FileInputError(_AZURE_USER_DATA, param="purpose", code="invalid_purpose")
    if purpose not in _PURPOSES[flavor]:
        allowed = ", ".join(sorted(_PURPOSES[flavor]))
        raise FileInputError(
            f"Invalid purpose {purpose!r}: expected one of {allowed}.",
            param="purpose",
            code="invalid_purpose",
        )
