"""Helpers for the suite machinery tests: a fake cell and a mock Responses server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from conformance.matrix import Cell, Credential

SECRET = "sk-planted-secret-4242"


def make_cell(**changes: Any) -> Cell:
    """A cell of a fake OpenAI-style target (served by a mock transport in these tests)."""
    settings: dict[str, Any] = dict(
        provider="openai", region="test", deployment="gpt-4o", model="gpt-4o", model_version="",
        api_style="openai", api_version="", endpoint="https://fake.example/v1", profile="openai",
        capabilities=frozenset({"text", "streaming", "background", "store", "function_calling"}),
        credential=Credential("bearer", SECRET, "TEST_KEY"),
    )
    settings.update(changes)
    return Cell(**settings)


class FakeServer:
    """A mock Responses server: creates answer a tiny response, deletes answer 200; every request is logged."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST" and request.url.path.endswith("/responses"):
            self.count += 1
            return httpx.Response(200, json={"id": f"resp_{self.count}", "object": "response", "status": "completed"})
        if request.method == "DELETE":
            return httpx.Response(200, json={"id": request.url.path.rsplit("/", 1)[1], "object": "response", "deleted": True})
        return httpx.Response(404, json={"error": {"message": "not found", "type": "invalid_request_error"}})

    def factory(self) -> Callable[[Cell], httpx.BaseTransport]:
        return lambda cell: httpx.MockTransport(self)
