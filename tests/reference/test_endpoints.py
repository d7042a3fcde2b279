"""Endpoints under the three URL styles, auth, api-version rules, and input_items pagination."""

from __future__ import annotations

import httpx
import pytest
from refkit import KEY, Ref, text_of


def test_create_retrieve_delete_in_every_url_style(ref: Ref) -> None:
    created = ref.ok({"model": "gpt-4o-mini", "input": "Say hello"})
    assert created["status"] == "completed" and text_of(created) == "hello"
    fetched = ref.request("GET", f"/responses/{created['id']}")
    assert fetched.json() == created
    deleted = ref.request("DELETE", f"/responses/{created['id']}")
    assert deleted.json() == {"id": created["id"], "object": "response.deleted", "deleted": True}
    ref.error(ref.request("GET", f"/responses/{created['id']}"), 404)
    ref.error(ref.request("DELETE", f"/responses/{created['id']}"), 404)


def test_azure_content_filters_only_on_the_azure_flavour(ref: Ref) -> None:
    created = ref.ok({"model": "gpt-4o-mini", "input": "Hello"})
    assert ("content_filters" in created) == (ref.flavor == "azure")


@pytest.mark.parametrize(
    ("headers", "code"),
    [({}, "missing_api_key"), ({"api-key": "wrong"}, "invalid_api_key"), ({"authorization": "Bearer nope"}, "invalid_api_key")],
)
def test_wrong_or_missing_key_is_401(oa: Ref, headers: dict[str, str], code: str) -> None:
    response = httpx.post(oa.handle.url + "/v1/responses", json={"model": "m", "input": "hi"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code


def test_bearer_auth_is_accepted(oa: Ref) -> None:
    response = httpx.post(
        oa.handle.url + "/v1/responses", json={"model": "m", "input": "hi"}, headers={"authorization": f"Bearer {KEY}"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("path", "version", "status"),
    [
        ("/openai/v1/responses", None, 200),
        ("/openai/v1/responses", "v1", 200),
        ("/openai/v1/responses", "2024-10-21", 400),
        ("/openai/responses", "2025-04-01-preview", 200),
        ("/openai/responses", "2025-10-01-preview", 200),
        ("/openai/responses", "2024-10-21", 400),
        ("/openai/responses", "banana", 400),
        ("/openai/responses", None, 400),
        ("/openai/files", "2024-10-21", 200),
    ],
)
def test_api_version_rules(az: Ref, path: str, version: str | None, status: int) -> None:
    params = {"api-version": version} if version else {}
    method, body = ("GET", None) if path.endswith("files") else ("POST", {"model": "m", "input": "hi"})
    response = httpx.request(method, az.handle.url + path, params=params, json=body, headers={"api-key": KEY})
    assert response.status_code == status, response.text
    if status == 400:
        assert response.json()["error"]["param"] == "api-version"


def test_unknown_path_and_wrong_method_give_envelopes(oa: Ref) -> None:
    missing = oa.request("GET", "/nothing-here")
    assert oa.error(missing, 404)["message"]
    wrong = oa.request("PUT", "/responses")
    oa.error(wrong, 405)
    assert wrong.headers["allow"] == "POST"
    assert set(oa.request("PATCH", "/responses/x").headers["allow"].split(", ")) == {"GET", "HEAD", "DELETE"}


def test_input_items_pagination(ref: Ref) -> None:
    items = [{"role": "user", "content": f"line {i}"} for i in range(5)]
    rid = ref.ok({"model": "gpt-4o-mini", "input": items})["id"]
    everything = ref.request("GET", f"/responses/{rid}/input_items", params={"order": "asc"}).json()
    texts = [i["content"][0]["text"] for i in everything["data"]]
    assert texts == [f"line {i}" for i in range(5)] and everything["has_more"] is False
    ids = [i["id"] for i in everything["data"]]
    desc = ref.request("GET", f"/responses/{rid}/input_items", params={"limit": 2}).json()
    assert [i["id"] for i in desc["data"]] == ids[::-1][:2]
    assert desc["has_more"] is True and desc["first_id"] == ids[4] and desc["last_id"] == ids[3]
    page = ref.request("GET", f"/responses/{rid}/input_items", params={"order": "asc", "after": ids[1], "limit": 2}).json()
    assert [i["id"] for i in page["data"]] == ids[2:4] and page["has_more"] is True
    before = ref.request("GET", f"/responses/{rid}/input_items", params={"order": "asc", "before": ids[2]}).json()
    assert [i["id"] for i in before["data"]] == ids[:2]
    bad = ref.request("GET", f"/responses/{rid}/input_items", params={"limit": 0})
    assert ref.error(bad, 400)["param"] == "limit"
    assert ref.error(ref.request("GET", "/responses/resp_missing/input_items"), 404)


def test_input_items_of_a_chained_response_list_the_conversation_newest_first(ref: Ref) -> None:
    # As real OpenAI does (openai-dotnet__ResponsesTests.CustomToolCallWorksAsync__3): the new input, the
    # previous answer, the previous input, and so on back.
    first = ref.ok({"model": "gpt-4o-mini", "input": "Remember: the code word is HERON."})
    second = ref.ok({"model": "gpt-4o-mini", "input": "And the colour is teal.",
                     "previous_response_id": first["id"]})
    third = ref.ok({"model": "gpt-4o-mini", "input": "What is the code word?",
                    "previous_response_id": second["id"]})
    listed = ref.request("GET", f"/responses/{third['id']}/input_items").json()["data"]
    texts = [(i["role"], i["content"][0]["text"]) for i in listed]
    answers = [("assistant", text_of(r)) for r in (second, first)]
    assert texts == [("user", "What is the code word?"), answers[0], ("user", "And the colour is teal."),
                     answers[1], ("user", "Remember: the code word is HERON.")]
    assert [i["id"] for i in listed[1:2]] == [second["output"][0]["id"]]
    oldest = ref.request("GET", f"/responses/{third['id']}/input_items", params={"order": "asc"}).json()
    assert oldest["data"] == listed[::-1]


def test_store_false_is_not_stored(oa: Ref) -> None:
    rid = oa.ok({"model": "gpt-4o-mini", "input": "hi", "store": False})["id"]
    oa.error(oa.request("GET", f"/responses/{rid}"), 404)
    follow = oa.create({"model": "gpt-4o-mini", "input": "again", "previous_response_id": rid})
    assert oa.error(follow, 400)["param"] == "previous_response_id"
