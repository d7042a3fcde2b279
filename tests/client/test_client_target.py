"""URL styles: each style and endpoint form hits the exact path and query; the environment picks the target."""

from __future__ import annotations

import pytest
from clientkit import Script, client, json_response

from conformance.client import ApiKeyAuth, BearerAuth, EntraAuth, Target

AZURE_FORMS = [
    "https://res.openai.azure.com",
    "https://res.openai.azure.com/",
    "https://res.openai.azure.com/openai/v1/",
    "https://res.openai.azure.com/openai",
]
OPENAI_FORMS = ["http://127.0.0.1:8000", "http://127.0.0.1:8000/", "http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1/"]


@pytest.mark.parametrize("endpoint", AZURE_FORMS)
@pytest.mark.parametrize(
    ("style", "responses", "files"),
    [
        ("azure-v1", "/openai/v1/responses?api-version=preview", "/openai/v1/files?api-version=preview"),
        (
            "azure-deployments",
            "/openai/responses?api-version=2025-04-01-preview",
            "/openai/files?api-version=2024-10-21",
        ),
    ],
)
def test_azure_styles_hit_the_documented_urls(endpoint: str, style: str, responses: str, files: str) -> None:
    script = Script()
    c = client(script, style, endpoint)
    c.create({"input": "hi"})
    c.upload_file("a.txt", b"x", "assistants")
    assert [str(r.url) for r in script.requests] == [
        f"https://res.openai.azure.com{responses}",
        f"https://res.openai.azure.com{files}",
    ]


@pytest.mark.parametrize("endpoint", OPENAI_FORMS)
def test_openai_style_always_reaches_v1(endpoint: str) -> None:
    script = Script()
    c = client(script, "openai", endpoint)
    c.create({"input": "hi"})
    c.retrieve_file("file-1")
    assert [str(r.url) for r in script.requests] == [
        "http://127.0.0.1:8000/v1/responses",
        "http://127.0.0.1:8000/v1/files/file-1",
    ]


def test_a_gateway_base_url_with_its_own_path_is_kept() -> None:
    target = Target("https://gw.example/api/openai", "openai")
    assert target.url("/responses") == "https://gw.example/api/openai/responses"
    assert target.params() == {}


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("azure-v1", "/openai/v1/responses/r1?api-version=preview&stream=true&starting_after=3"),
        ("azure-deployments", "/openai/responses/r1?api-version=2025-04-01-preview&stream=true&starting_after=3"),
        ("openai", "/v1/responses/r1?stream=true&starting_after=3"),
    ],
)
def test_resume_url_in_each_style(style: str, expected: str) -> None:
    script = Script(json_response({"error": {}}, 400))
    client(script, style).retrieve_stream("r1", starting_after=3)
    assert script.lines() == [f"GET {expected}"]


def test_every_operation_has_its_method_and_path() -> None:
    script = Script()
    c = client(script, "azure-v1")
    c.retrieve("r1", include=["reasoning.encrypted_content"])
    c.delete("r1")
    c.cancel("r1")
    c.input_items("r1", limit=2, order="asc")
    c.delete_file("f1")
    c.file_content("f1")
    q = "api-version=preview"
    assert script.lines() == [
        f"GET /openai/v1/responses/r1?{q}&include%5B%5D=reasoning.encrypted_content",
        f"DELETE /openai/v1/responses/r1?{q}",
        f"POST /openai/v1/responses/r1/cancel?{q}",
        f"GET /openai/v1/responses/r1/input_items?{q}&limit=2&order=asc",
        f"DELETE /openai/v1/files/f1?{q}",
        f"GET /openai/v1/files/f1/content?{q}",
    ]


def test_raw_can_replace_or_omit_the_api_version_and_send_any_body() -> None:
    script = Script()
    c = client(script, "azure-deployments")
    c.raw("POST", "/responses", api_version="1999-01-01")
    c.raw("POST", "/responses", api_version=None, content=b"{not json", headers={"content-type": "application/json"})
    assert script.lines() == ["POST /openai/responses?api-version=1999-01-01", "POST /openai/responses"]
    assert script.requests[1].content == b"{not json"


def test_an_explicit_api_version_and_files_version_win() -> None:
    target = Target("https://r.openai.azure.com", "azure-v1", api_version="v1")
    assert target.params("/responses") == {"api-version": "v1"}
    assert target.params("/files") == {"api-version": "v1"}
    assert Target("https://r", "azure-deployments", files_api_version="2025-01-01").params("/files/x") == {
        "api-version": "2025-01-01"
    }


def test_bad_style_or_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown API style"):
        Target("https://r", "azure")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="http"):
        Target("r.openai.azure.com", "azure-v1")


def test_host_is_all_a_report_shows() -> None:
    assert Target("https://user:pw@r.openai.azure.com/openai/v1", "azure-v1").host == "r.openai.azure.com"


class TestFromEnv:
    def test_azure_endpoint_with_key_wins(self) -> None:
        env = {
            "AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com/",
            "AZURE_OPENAI_API_KEY": "k-azure",
            "OPENAI_BASE_URL": "http://other/v1",
            "OPENAI_API_KEY": "k-openai",
        }
        target = Target.from_env("gpt-4o", environ=env)
        assert (target.endpoint, target.api_style, target.api_version, target.model) == (
            "https://r.openai.azure.com", "azure-v1", "preview", "gpt-4o",
        )
        assert isinstance(target.auth, ApiKeyAuth) and target.auth.secret_values() == ("k-azure",)

    def test_a_dated_version_means_the_deployments_style(self) -> None:
        env = {"AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com", "OPENAI_API_VERSION": "2025-04-01-preview"}
        target = Target.from_env(environ=env)
        assert (target.api_style, target.api_version) == ("azure-deployments", "2025-04-01-preview")
        assert isinstance(target.auth, EntraAuth)  # no key: Entra ID

    def test_openai_base_url_and_key(self) -> None:
        target = Target.from_env(environ={"OPENAI_BASE_URL": "http://127.0.0.1:9", "OPENAI_API_KEY": "k"})
        assert (target.endpoint, target.api_style, target.api_version) == ("http://127.0.0.1:9/v1", "openai", None)
        assert isinstance(target.auth, BearerAuth)

    def test_openai_key_alone_means_api_openai_com(self) -> None:
        assert Target.from_env(environ={"OPENAI_API_KEY": "k"}).endpoint == "https://api.openai.com/v1"

    def test_nothing_set_is_a_usage_error(self) -> None:
        with pytest.raises(ValueError, match="AZURE_OPENAI_ENDPOINT"):
            Target.from_env(environ={})
