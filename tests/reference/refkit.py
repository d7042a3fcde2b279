"""Test helpers for the reference server: a client that checks everything the server sends against the contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from conformance.contract.sse import parse_sse
from conformance.contract.stream import check_transcript
from conformance.contract.validate import ContractValidator, detect_kind
from conformance.reference.config import ServerConfig
from conformance.reference.server import ServerHandle, start_server

MCP_TOKEN = ("Authorization", "Bearer mcp-secret")  # the header the guarded local MCP server requires

KEY = "test-key"
STYLES = {
    "openai": ("/v1", {}),
    "azure-v1": ("/openai/v1", {"api-version": "preview"}),
    "azure-deployments": ("/openai", {"api-version": "2025-04-01-preview"}),
}


def start(flavor: str = "openai", **overrides: Any) -> ServerHandle:
    """A reference server on a free loopback port with test-friendly timings."""
    settings: dict[str, Any] = {"think_time": 0.2, "keepalive_interval": 0.05, "api_key": KEY, **overrides}
    return start_server(ServerConfig(flavor=flavor, **settings))  # type: ignore[arg-type]


def events(response: httpx.Response) -> list[dict[str, Any]]:
    """The JSON events of an SSE response, in order."""
    return [orjson.loads(e.data) for e in parse_sse(response.content)]


@dataclass
class Ref:
    """A client of one server in one URL style; every JSON body and stream it gets is checked (strict)."""

    handle: ServerHandle
    style: str = "openai"
    checked: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.flavor = self.handle.config.flavor
        self.validator = ContractValidator(self.flavor, strict=True)
        prefix, self.query = STYLES[self.style]
        self.http = httpx.Client(base_url=self.handle.url + prefix, headers={"api-key": KEY}, timeout=30)

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request and check what comes back against the contract."""
        params = {**self.query, **kwargs.pop("params", {})}
        response = self.http.request(method, path, params=params, **kwargs)
        self.check(response, starting_after=params.get("starting_after"))
        return response

    def check(self, response: httpx.Response, starting_after: Any = None) -> None:
        """Assert a response is valid against the profile: JSON by kind, SSE by schema + grammar + invariants."""
        kind = response.headers.get("content-type", "")
        if kind.startswith("text/event-stream"):
            after = int(starting_after) if starting_after is not None else None
            if after is not None and not parse_sse(response.content):
                return  # resuming after the terminal event: nothing left to send
            result = check_transcript(response.content, self.validator, starting_after=after)
            assert result.ok, [str(v) for v in result.violations]
        elif kind.startswith("application/json"):
            body = response.json()
            found = "error" if response.status_code >= 400 else detect_kind(body)
            assert found is not None, body
            violations = self.validator.validate(body, found)
            assert not violations, [str(v) for v in violations]
            if response.status_code >= 400:
                assert set(body["error"]) >= {"message", "type", "param", "code"}
        self.checked.append(kind)

    def create(self, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """POST /responses."""
        return self.request("POST", "/responses", json=body, **kwargs)

    def ok(self, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """POST /responses expecting a 200 JSON response."""
        response = self.create(body, **kwargs)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def stream(self, body: dict[str, Any], **kwargs: Any) -> list[dict[str, Any]]:
        """POST /responses with stream=true expecting a valid event stream."""
        response = self.create({**body, "stream": True}, **kwargs)
        assert response.status_code == 200, response.text
        return events(response)

    def error(self, response: httpx.Response, status: int) -> dict[str, Any]:
        """Assert an error status with the envelope; the error object."""
        assert response.status_code == status, response.text
        error: dict[str, Any] = response.json()["error"]
        return error


def text_of(response: dict[str, Any]) -> str:
    """The joined output text of a response."""
    return "".join(
        c["text"] for item in response["output"] if item["type"] == "message" for c in item["content"] if "text" in c
    )
