"""Auth: api-key, bearer and Entra ID headers; Entra refresh before expiry and once on 401; no secret shown."""

from __future__ import annotations

import json
import sys
import types
from typing import Any

import httpx
import pytest
from azure.core.credentials import AccessToken
from clientkit import KEY, Script, client, json_response

from conformance.checks import HarnessError
from conformance.client import ApiKeyAuth, BearerAuth, CredentialError, EntraAuth, Target


class FakeCredential:
    """A TokenCredential handing out tok-1, tok-2, ... each valid for ``lifetime`` seconds of the fake clock."""

    def __init__(self, clock: list[float], lifetime: int = 3600) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes += scopes
        return AccessToken(f"entra-token-{len(self.scopes)}", int(self.clock[0]) + self.lifetime)


def test_api_key_header() -> None:
    script = Script()
    client(script).create({"input": "hi"})
    assert script.requests[0].headers["api-key"] == KEY
    assert "authorization" not in script.requests[0].headers


def test_bearer_header_and_extra_headers() -> None:
    script = Script()
    client(script, auth=BearerAuth(KEY), extra_headers={"x-ms-oai-image-generation-deployment": "img"}).create({})
    assert script.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert script.requests[0].headers["x-ms-oai-image-generation-deployment"] == "img"


def test_raw_without_auth_or_with_other_auth() -> None:
    script = Script()
    c = client(script)
    c.raw("GET", "/responses/r", auth=False)
    c.raw("GET", "/responses/r", auth=ApiKeyAuth("wrong-key"))
    assert "api-key" not in script.requests[0].headers
    assert script.requests[1].headers["api-key"] == "wrong-key"


def test_gateway_key_header_name() -> None:
    script = Script()
    client(script, auth=ApiKeyAuth(KEY, header="Ocp-Apim-Subscription-Key")).create({})
    assert script.requests[0].headers["ocp-apim-subscription-key"] == KEY


@pytest.mark.parametrize("auth", [ApiKeyAuth(KEY), BearerAuth(KEY)], ids=["api-key", "bearer"])
def test_no_repr_str_or_evidence_shows_the_key(auth: httpx.Auth) -> None:
    echo = json_response({"error": {"message": f"Incorrect API key provided: {KEY}"}, "url": f"http://x?k={KEY}"}, 401)
    script = Script(echo)
    c = client(script, auth=auth)
    c.create({"input": f"my key is {KEY}"})
    shown = [repr(auth), str(auth), repr(c.target), str(c.target), repr(c), json.dumps(c.evidence.as_dict())]
    assert all(KEY not in text for text in shown)
    assert "<redacted>" in shown[-1]
    assert c.evidence.exchanges[0]["request_headers"].get("api-key", "<redacted>") == "<redacted>"


class TestEntra:
    def test_token_is_cached_and_refreshed_five_minutes_before_expiry(self) -> None:
        clock = [1000.0]
        credential = FakeCredential(clock)
        script = Script()
        c = client(script, auth=EntraAuth(credential, clock=lambda: clock[0]))
        c.create({})
        clock[0] += 3600 - 301  # still more than 5 minutes left
        c.create({})
        clock[0] += 2  # now inside the margin
        c.create({})
        assert [r.headers["authorization"] for r in script.requests] == [
            "Bearer entra-token-1", "Bearer entra-token-1", "Bearer entra-token-2",
        ]
        assert credential.scopes == ["https://cognitiveservices.azure.com/.default"] * 2

    def test_a_401_refreshes_once_and_retries_once(self) -> None:
        clock = [0.0]
        credential = FakeCredential(clock)
        script = Script(json_response({"error": {}}, 401), json_response({"id": "r", "object": "response"}))
        c = client(script, auth=EntraAuth(credential, clock=lambda: clock[0]))
        assert c.create({}).status_code == 200
        assert [r.headers["authorization"] for r in script.requests] == ["Bearer entra-token-1", "Bearer entra-token-2"]

    def test_a_second_401_is_the_answer(self) -> None:
        script = Script(json_response({"error": {}}, 401))
        c = client(script, auth=EntraAuth(FakeCredential([0.0]), clock=lambda: 0.0))
        assert c.create({}).status_code == 401
        assert len(script.requests) == 2

    def test_tokens_are_secrets(self) -> None:
        script = Script(lambda r: json_response({"echo": r.headers["authorization"]}))
        auth = EntraAuth(FakeCredential([0.0]), clock=lambda: 0.0)
        c = client(script, auth=auth)
        c.create({})
        assert "entra-token" not in json.dumps(c.evidence.as_dict()) + repr(auth)

    def test_no_credential_is_a_harness_error(self) -> None:
        class Broken:
            def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
                raise RuntimeError("DefaultAzureCredential failed to retrieve a token\nmany lines follow")

        with pytest.raises(CredentialError, match="no token") as info:
            client(Script(), auth=EntraAuth(Broken())).create({})
        assert isinstance(info.value, HarnessError) and "\n" not in str(info.value)

    def test_default_credential_is_built_lazily_without_managed_identity(self, monkeypatch: pytest.MonkeyPatch) -> None:
        built: list[dict[str, object]] = []

        class Default(FakeCredential):
            def __init__(self, **kwargs: object) -> None:
                built.append(kwargs)
                super().__init__([0.0])

        module = types.ModuleType("azure.identity")
        module.DefaultAzureCredential = Default  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "azure.identity", module)
        auth = EntraAuth()
        assert built == []
        client(Script(), auth=auth).create({})
        assert built == [{"exclude_managed_identity_credential": True}]


def test_target_repr_hides_auth_secret() -> None:
    assert KEY not in repr(Target("https://r", "azure-v1", auth=ApiKeyAuth(KEY)))
