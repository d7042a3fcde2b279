"""File inputs: PDFs inline and by uploaded file_id, the per-request page and size limits, upload purposes.

The limit checks send bodies of up to ~45 MB: they run alone in their cell (``exclusive``), and their PDFs
and data URLs are built once per process, not per cell. A refusal counts only as the limit's own answer: a
400 with a conforming error envelope (a proxy's 413 is another finding), and only after a positive control
(small files of the same shape, sent first) was answered, so a server refusing every file input fails.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from conformance.checks._answers import answered, output_text, probe, refused, room, text, user
from conformance.checks._check import Tier, check, expect
from conformance.checks._judge import ENVELOPE, Judge
from conformance.checks._turns import code_word
from conformance.client import ApiResponse, ResponsesClient
from conformance.fixtures import make_pdf
from conformance.matrix import Cell

SPEC = "openai-openapi.yaml InputFileContent (file_data, file_id, filename); createFile (purpose)"
LIMITS = "Azure Responses how-to: file input, at most 100 pages and 32 MB of content per request"
REFUSAL = (" (refused: 400 with the OpenAPI error envelope; no recording or public issue shows the limit's own "
           "error code, so none is required)")
MAX_PAGES = 100
MB = 1_000_000  # the limit holds in decimal and binary megabytes: just under 32 MB, just over 32 MiB
JUST_UNDER = 32 * MB - 64 * 1024
JUST_OVER = 32 * 1024 * 1024 + 64 * 1024
CODE_WORD = "PELICAN"
QUESTION = "What is the code word? It is written in the attached document. Reply with the word only."


def _inline(pdf: bytes, name: str = "document.pdf") -> dict[str, Any]:
    return {"type": "input_file", "filename": name, "file_data": _data_url(pdf)}


@functools.lru_cache(maxsize=8)
def _data_url(pdf: bytes) -> str:
    """The PDF as a base64 data URL, encoded once per process (make_pdf hands every cell the same bytes)."""
    return "data:application/pdf;base64," + base64.b64encode(pdf).decode()


def _ask(cell: Cell, client: ResponsesClient, *files: dict[str, Any]) -> ApiResponse:
    return client.create({"input": [user(text(QUESTION), *files)], **room(cell, 32)})


def _upload(client: ResponsesClient, judge: Judge, pdf: bytes, purpose: str) -> str:
    upload = client.upload_file("document.pdf", pdf, purpose, "application/pdf")
    expect(upload.ok, f"the PDF upload with purpose {purpose} was not accepted", expected="200 with a file object",
           actual=f"{upload.status_code} {upload.text[:200]}")
    return str(judge.object(upload.body, "file", "the uploaded file object does not conform")["id"])


def _code_word_pdf() -> bytes:
    return make_pdf(1, f"The code word is {CODE_WORD}.")


@check("files.input.base64_pdf", spec=SPEC + "; " + LIMITS, requires=("pdf_input",), tier=Tier.smoke)
def test_pdf_given_as_base64_file_data_is_accepted(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A PDF given inline as base64 file_data with a filename MUST be accepted and answered."""
    answered(_ask(cell, client, _inline(_code_word_pdf())), judge, "a PDF given as base64 file_data")


@check("files.input.pdf_text_reaches_model", spec=LIMITS + " (the model gets the extracted text); DESIGN: a "
       "feature-defining probe is MUST with a stated number of attempts", requires=("pdf_input",))
def test_answer_uses_the_text_of_the_pdf(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """The answer to a question about an inline PDF MUST use its text (it names the code word the PDF holds).

    The code word is fresh, so only the PDF can supply it. A real model gets PROBE_ATTEMPTS (3) tries; one
    answer naming the word passes (case, spacing and punctuation aside), and a failure lists every answer.
    """
    word = code_word()
    document = _inline(make_pdf(1, f"The code word is {word}."))

    def ask(attempt: int) -> str:
        response = answered(_ask(cell, client, document), judge, f"a PDF given as base64 file_data (attempt {attempt})")
        return output_text(response) or str(response.get("status"))

    probe(word, ask, "the answer does not use the PDF's text")


@check("files.input.file_id", spec=SPEC + "; " + LIMITS, requires=("pdf_input", "file_upload"))
def test_pdf_uploaded_for_assistants_is_accepted_by_file_id(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """A PDF uploaded with purpose assistants MUST be accepted as an input_file by its file_id."""
    file_id = _upload(client, judge, _code_word_pdf(), "assistants")
    answered(_ask(cell, client, {"type": "input_file", "file_id": file_id}), judge, "a PDF referenced by file_id")


@check("files.purpose.user_data", spec=SPEC + " (purpose user_data)", requires=("pdf_input", "file_upload"))
def test_pdf_uploaded_as_user_data_is_usable(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An upload with purpose user_data MUST be accepted and usable as an input_file (Azure: a documented known issue)."""
    file_id = _upload(client, judge, _code_word_pdf(), "user_data")
    answered(_ask(cell, client, {"type": "input_file", "file_id": file_id}), judge, "a user_data PDF by file_id")


@check("files.limits.pages_accepted", spec=LIMITS, requires=("pdf_input",), tier=Tier.full, exclusive=True)
def test_file_inputs_of_100_pages_are_accepted(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """File inputs of exactly 100 pages in one request MUST be accepted."""
    answered(_ask(cell, client, _inline(make_pdf(MAX_PAGES))), judge, "a PDF of 100 pages")


@check("files.limits.two_files_accepted", spec=LIMITS + " (over several file inputs)", requires=("pdf_input",),
       since="0.2.0")
def test_two_small_file_inputs_are_accepted(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Two small PDFs in one request MUST be accepted and answered (the limits are per request, not one file)."""
    answered(_ask(cell, client, *_small(2)), judge, "two small PDFs in one request")


@check("files.limits.pages_refused", owns=ENVELOPE, spec=LIMITS + REFUSAL, requires=("pdf_input",), tier=Tier.full, exclusive=True)
def test_file_inputs_of_101_pages_are_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """File inputs of 101 pages in one request MUST be refused with a 400 error, while a 1-page PDF is answered."""
    _refused_over_limit(cell, client, judge, (_inline(make_pdf(MAX_PAGES + 1)),), "a PDF of 101 pages")


@check("files.limits.pages_per_request", owns=ENVELOPE, spec=LIMITS + " (over several file inputs)" + REFUSAL,
       requires=("pdf_input",), tier=Tier.full, exclusive=True)
def test_pages_are_counted_over_all_file_inputs(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """Two PDFs of 51 and 50 pages in one request MUST be refused with a 400 error, while two small PDFs are answered."""
    files = (_inline(make_pdf(51), "first.pdf"), _inline(make_pdf(50), "second.pdf"))
    _refused_over_limit(cell, client, judge, files, "two PDFs of 101 pages in all")


@check("files.limits.size_accepted", spec=LIMITS, requires=("pdf_input",), tier=Tier.full, exclusive=True)
def test_file_inputs_just_under_32_mb_are_accepted(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """File inputs of just under 32 MB in one request MUST be accepted."""
    answered(_ask(cell, client, _inline(make_pdf(1, size=JUST_UNDER))), judge, "a PDF of just under 32 MB")


@check("files.limits.size_refused", owns=ENVELOPE, spec=LIMITS + REFUSAL, requires=("pdf_input",), tier=Tier.full, exclusive=True)
def test_file_inputs_over_32_mb_are_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """File inputs of just over 32 MB in one request MUST be refused with a 400 error, while a small PDF is answered."""
    _refused_over_limit(cell, client, judge, (_inline(make_pdf(1, size=JUST_OVER)),), "a PDF of just over 32 MB")


def _small(count: int) -> tuple[dict[str, Any], ...]:
    """``count`` one-page PDFs, inline: the positive control of a refusal with as many file inputs."""
    return tuple(_inline(_code_word_pdf(), f"small-{n}.pdf") for n in range(1, count + 1))


def _refused_over_limit(
    cell: Cell, client: ResponsesClient, judge: Judge, files: tuple[dict[str, Any], ...], what: str
) -> None:
    """The positive control (as many small PDFs) is answered; ``files`` get the limit's own 400 error envelope."""
    control = f"{len(files)} small PDF(s) in one request, the positive control"
    answered(_ask(cell, client, *_small(len(files))), judge, control)
    refused(_ask(cell, client, *files), judge, what, statuses=(400,))


@check("files.purpose.unknown_refused", owns=ENVELOPE, spec=SPEC + " (purpose is an enum)", requires=("file_upload",))
def test_upload_with_an_unknown_purpose_is_refused(cell: Cell, client: ResponsesClient, judge: Judge) -> None:
    """An upload with a purpose the API does not define MUST be refused with a 4xx error."""
    upload = client.upload_file("document.pdf", _code_word_pdf(), "conformance-no-such-purpose", "application/pdf")
    refused(upload, judge, "an upload with an unknown purpose")
