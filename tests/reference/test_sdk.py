"""The openai Python SDK (max_retries=0) against the server, OpenAI style and Azure v1 style."""

from __future__ import annotations

import time
from typing import Literal, Optional

import pytest
from openai import AzureOpenAI, NotFoundError, OpenAI
from pydantic import BaseModel
from refkit import KEY

from conformance.reference.files import make_pdf
from conformance.reference.server import ServerHandle


@pytest.fixture(params=["openai", "azure-v1"])
def sdk(request: pytest.FixtureRequest) -> OpenAI:
    """An SDK client in each style."""
    if request.param == "openai":
        server: ServerHandle = request.getfixturevalue("openai_server")
        return OpenAI(base_url=server.url + "/v1", api_key=KEY, max_retries=0)
    server = request.getfixturevalue("azure_server")
    return OpenAI(base_url=server.url + "/openai/v1/", api_key=KEY, default_query={"api-version": "preview"}, max_retries=0)


def test_create_retrieve_input_items_delete(sdk: OpenAI) -> None:
    first = sdk.responses.create(model="gpt-4o-mini", input="Remember the code word OTTER.")
    second = sdk.responses.create(model="gpt-4o-mini", input="What is the code word?", previous_response_id=first.id)
    assert "OTTER" in second.output_text
    assert sdk.responses.retrieve(second.id).output_text == second.output_text
    items = sdk.responses.input_items.list(second.id)  # the whole conversation, newest first, as OpenAI does
    assert [(i.type, i.role) for i in items.data] == [("message", "user"), ("message", "assistant"),
                                                      ("message", "user")]
    sdk.responses.delete(second.id)
    with pytest.raises(NotFoundError):
        sdk.responses.retrieve(second.id)


def test_stream_and_resume(sdk: OpenAI) -> None:
    with sdk.responses.stream(model="gpt-4o-mini", input="Count to 40") as stream:
        seen = list(stream)
        final = stream.get_final_response()
    assert seen[0].type == "response.created" and final.status == "completed"
    resumed = list(sdk.responses.retrieve(final.id, stream=True, starting_after=3))
    assert [e.sequence_number for e in resumed] == [e.sequence_number for e in seen[4:]]
    assert resumed[-1].type == "response.completed"


def test_background_cancel(sdk: OpenAI) -> None:
    created = sdk.responses.create(model="o3", input="Write a long essay", background=True)
    assert created.status == "queued"
    cancelled = sdk.responses.cancel(created.id)
    assert cancelled.status == "cancelled"
    assert sdk.responses.cancel(created.id).status == "cancelled"


def test_background_poll_until_done(sdk: OpenAI) -> None:
    response = sdk.responses.create(model="gpt-4o-mini", input="Say finished", background=True)
    deadline = time.monotonic() + 5
    while response.status in ("queued", "in_progress") and time.monotonic() < deadline:
        time.sleep(0.05)
        response = sdk.responses.retrieve(response.id)
    assert response.output_text == "finished"


def test_function_calling_round_trip(sdk: OpenAI) -> None:
    tool = {
        "type": "function",
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "strict": False,
    }
    call = sdk.responses.create(model="gpt-4o", input="Weather in Madrid?", tools=[tool])  # type: ignore[list-item]
    fc = call.output[0]
    assert fc.type == "function_call"
    done = sdk.responses.create(
        model="gpt-4o",
        previous_response_id=call.id,
        input=[{"type": "function_call_output", "call_id": fc.call_id, "output": "sunny"}],
    )
    assert "sunny" in done.output_text


class Address(BaseModel):
    """A nested structured-output model."""

    street: str
    zip: int


class Person(BaseModel):
    """A structured-output model with enums, optionals, lists and nesting."""

    name: str
    age: int
    kind: Literal["friend", "colleague"]
    nickname: Optional[str]  # noqa: UP045 - the SDK turns this into anyOf [string, null]
    addresses: list[Address]


def test_structured_output_parses(sdk: OpenAI) -> None:
    parsed = sdk.responses.parse(model="gpt-4o", input="Describe Alice aged 30", text_format=Person).output_parsed
    assert parsed is not None and parsed.age == 30 and parsed.kind == "friend"


def test_azure_deployments_style_with_azure_openai_client(azure_server: ServerHandle) -> None:
    client = AzureOpenAI(azure_endpoint=azure_server.url, api_key=KEY, api_version="2025-04-01-preview", max_retries=0)
    created = client.responses.create(model="gpt-4o-mini", input="Say azure")
    assert created.output_text == "azure"
    assert client.responses.retrieve(created.id).id == created.id
    files = AzureOpenAI(azure_endpoint=azure_server.url, api_key=KEY, api_version="2024-10-21", max_retries=0)
    uploaded = files.files.create(file=("a.pdf", make_pdf(1)), purpose="assistants")
    answer = client.responses.create(
        model="gpt-4o", input=[{"role": "user", "content": [{"type": "input_file", "file_id": uploaded.id}]}]
    )
    assert "1 page(s)" in answer.output_text
    files.files.delete(uploaded.id)
