"""File inputs of the reference server: data URLs, PDF reading, limits and upload purposes."""

from __future__ import annotations

import base64
import io

import pytest
from pypdf import PdfReader

from conformance.reference.files import (
    MAX_BYTES,
    MAX_PAGES,
    FileInputError,
    check_purpose,
    check_request_limits,
    decode_data_url,
    make_pdf,
    read_pdf,
)


def test_a_data_url_decodes_to_its_mime_type_and_bytes():
    url = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 x").decode()
    assert decode_data_url(url) == ("application/pdf", b"%PDF-1.4 x")


def test_a_data_url_with_parameters_keeps_only_the_mime_type():
    assert decode_data_url("data:Text/Plain;charset=utf-8;base64,aGk=") == ("text/plain", b"hi")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a.pdf",
        "data:application/pdf,plain-not-base64",
        "data:application/pdf;base64",
        "data:application/pdf;base64,not base64!",
        "data:application/pdf;base64,aGk",
    ],
)
def test_a_malformed_data_url_is_refused(url):
    with pytest.raises(FileInputError) as caught:
        decode_data_url(url)
    assert caught.value.message


def test_pages_and_text_are_read_from_a_real_pdf():
    info = read_pdf(make_pdf(3, "The code word is (tangerine) \\ 7.\nSecond line"))
    assert info.pages == 3
    assert info.text.count("The code word is (tangerine) \\ 7.") == 3
    assert "Second line" in info.text
    assert "Page 3 of 3" in info.text


@pytest.mark.parametrize("data", [b"", b"hello, not a pdf", b"%PDF-1.7\n truncated"])
def test_data_that_is_not_a_pdf_is_an_invalid_file(data):
    with pytest.raises(FileInputError) as caught:
        read_pdf(data)
    assert caught.value.code == "invalid_file"


def test_a_truncated_pdf_is_an_invalid_file():
    with pytest.raises(FileInputError, match="could not be read as a PDF"):
        read_pdf(make_pdf(2)[:400])


def test_make_pdf_builds_the_page_counts_the_limits_need():
    assert read_pdf(make_pdf(MAX_PAGES)).pages == 100
    assert read_pdf(make_pdf(MAX_PAGES + 1)).pages == 101


@pytest.mark.parametrize("size", [3_000, 99_999, 100_000, MAX_BYTES, MAX_BYTES + 1])
def test_make_pdf_pads_to_an_exact_size_and_stays_readable(size):
    data = make_pdf(1, "padded", size=size)
    assert len(data) == size
    assert read_pdf(data) == read_pdf(make_pdf(1, "padded"))


def test_make_pdf_hits_every_size_where_the_padding_gains_a_digit():
    (padding,) = PdfReader(io.BytesIO(make_pdf(1, size=5_000))).attachments.values()
    overhead = 5_000 - len(padding[0])
    for size in range(10_000 + overhead - 5, 10_000 + overhead + 5):
        assert len(make_pdf(1, size=size)) == size


def test_make_pdf_refuses_a_size_below_an_unpadded_pdf():
    with pytest.raises(ValueError, match="smaller"):
        make_pdf(1, size=100)


def test_limits_allow_exactly_100_pages_and_32_mb():
    check_request_limits(total_bytes=MAX_BYTES, total_pages=MAX_PAGES)


def test_101_pages_are_refused_with_a_message_naming_the_limit():
    with pytest.raises(FileInputError) as caught:
        check_request_limits(total_bytes=1_000, total_pages=101)
    assert caught.value.code == "too_many_pages"
    assert "at most 100 pages" in caught.value.message


def test_one_byte_over_32_mb_is_refused_with_a_message_naming_the_limit():
    with pytest.raises(FileInputError) as caught:
        check_request_limits(total_bytes=MAX_BYTES + 1, total_pages=1)
    assert caught.value.code == "file_too_large"
    assert "32 MB" in caught.value.message
    assert MAX_BYTES == 33_554_432


@pytest.mark.parametrize("purpose", ["assistants", "vision", "batch", "fine-tune"])
def test_azure_accepts_its_purposes(purpose):
    check_purpose("azure", purpose)


def test_azure_refuses_user_data_and_points_to_assistants():
    with pytest.raises(FileInputError) as caught:
        check_purpose("azure", "user_data")
    assert caught.value.param == "purpose"
    assert "'user_data' is not supported" in caught.value.message
    assert "'assistants'" in caught.value.message


@pytest.mark.parametrize("purpose", ["user_data", "assistants", "vision", "batch", "evals"])
def test_openai_accepts_its_purposes(purpose):
    check_purpose("openai", purpose)


@pytest.mark.parametrize("flavor", ["azure", "openai"])
def test_an_unknown_purpose_is_refused(flavor):
    with pytest.raises(FileInputError, match="Invalid purpose 'homework'") as caught:
        check_purpose(flavor, "homework")
    assert caught.value.param == "purpose"


def test_an_unknown_flavor_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown flavor"):
        check_purpose("gcp", "assistants")
