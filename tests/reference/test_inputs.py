"""Image and file inputs, the per-request limits, and the Files API with each flavour's purpose rules."""

from __future__ import annotations

import base64

import httpx
import pytest
from refkit import KEY, Ref, text_of

from conformance.reference.files import MAX_BYTES, make_pdf
from conformance.reference.images import png


def _upload(ref: Ref, data: bytes, purpose: str, name: str = "doc.pdf") -> httpx.Response:
    return ref.request("POST", "/files", files={"file": (name, data, "application/pdf")}, data={"purpose": purpose})


def _ask(parts: list[dict[str, object]]) -> dict[str, object]:
    return {"model": "gpt-4o", "input": [{"role": "user", "content": [{"type": "input_text", "text": "Describe this."}, *parts]}]}


def test_image_by_data_url_http_url_and_file_id(ref: Ref) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(png("cat", size=32)).decode()
    assert "32x32 pixels" in text_of(ref.ok(_ask([{"type": "input_image", "image_url": data_url}])))
    remote = text_of(ref.ok(_ask([{"type": "input_image", "image_url": "https://example.invalid/cat.png?sig=x"}])))
    assert "https://example.invalid/cat.png" in remote and "sig=" not in remote
    fid = _upload(ref, png("dog"), "vision", "dog.png").json()["id"]
    assert "dog.png" in text_of(ref.ok(_ask([{"type": "input_image", "file_id": fid}])))


def test_pdf_by_file_data(ref: Ref) -> None:
    pdf = base64.b64encode(make_pdf(3, "Quarterly report")).decode()
    part = {"type": "input_file", "filename": "r.pdf", "file_data": "data:application/pdf;base64," + pdf}
    answer = text_of(ref.ok(_ask([part])))
    assert "3 page(s)" in answer and "Quarterly report" in answer


def test_pdf_by_file_id_uploaded_with_the_flavours_purpose(ref: Ref) -> None:
    purpose = "assistants" if ref.flavor == "azure" else "user_data"
    uploaded = _upload(ref, make_pdf(2, "Hello PDF"), purpose)
    assert uploaded.status_code == 200, uploaded.text
    meta = uploaded.json()
    assert meta["purpose"] == purpose and meta["object"] == "file"
    answer = text_of(ref.ok(_ask([{"type": "input_file", "file_id": meta["id"]}])))
    assert "2 page(s)" in answer and "Hello PDF" in answer


def test_files_api_round_trip(ref: Ref) -> None:
    data = make_pdf(1)
    meta = _upload(ref, data, "assistants").json()
    assert ref.request("GET", f"/files/{meta['id']}").json() == meta
    assert ref.request("GET", f"/files/{meta['id']}/content").content == data
    assert meta["id"] in [f["id"] for f in ref.request("GET", "/files").json()["data"]]
    assert ref.request("DELETE", f"/files/{meta['id']}").json() == {"id": meta["id"], "object": "file", "deleted": True}
    ref.error(ref.request("GET", f"/files/{meta['id']}"), 404)


def test_azure_refuses_user_data_and_openai_accepts_it(az: Ref, oa: Ref) -> None:
    assert az.error(_upload(az, make_pdf(1), "user_data"), 400)["param"] == "purpose"
    assert _upload(oa, make_pdf(1), "user_data").status_code == 200
    assert oa.error(_upload(oa, make_pdf(1), "bogus"), 400)["param"] == "purpose"


def test_azure_files_path_with_dated_version(az: Ref) -> None:
    response = httpx.post(
        az.handle.url + "/openai/files",
        params={"api-version": "2024-10-21"},
        headers={"api-key": KEY},
        files={"file": ("a.pdf", make_pdf(1), "application/pdf")},
        data={"purpose": "assistants"},
    )
    assert response.status_code == 200 and response.json()["filename"] == "a.pdf"


def test_more_than_100_pages_is_400(oa: Ref) -> None:
    fid = _upload(oa, make_pdf(60), "user_data").json()["id"]
    parts = [{"type": "input_file", "file_id": fid}, {"type": "input_file", "file_id": fid}]
    assert oa.error(oa.create(_ask(parts)), 400)["code"] == "too_many_pages"


def test_more_than_32_mb_is_400(oa: Ref) -> None:
    fid = _upload(oa, make_pdf(1, size=MAX_BYTES // 2 + 1024), "user_data").json()["id"]
    parts = [{"type": "input_file", "file_id": fid}, {"type": "input_file", "file_id": fid}]
    assert oa.error(oa.create(_ask(parts)), 400)["code"] == "file_too_large"


@pytest.mark.parametrize(
    ("part", "param"),
    [
        ({"type": "input_file", "file_id": "file-missing"}, "input[0].content[1].file_id"),
        ({"type": "input_file", "file_data": "data:application/pdf;base64,!!!"}, "input[0].content[1].file_data"),
        ({"type": "input_file", "filename": "x.pdf", "file_data": "data:application/pdf;base64,aGVsbG8="}, "input[0].content[1]"),
        ({"type": "input_image", "image_url": "data:image/png;base64,%%"}, "input[0].content[1].image_url"),
    ],
)
def test_bad_file_inputs_are_400(oa: Ref, part: dict[str, object], param: str) -> None:
    error = oa.error(oa.create(_ask([part])), 400)
    assert error["param"] == param
