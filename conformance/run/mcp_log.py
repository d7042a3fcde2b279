"""The log of the suite's own MCP server running in another process (``responses-conformance mcp-server``).

That server serves its log at ``/conformance-log`` beside its ``/mcp`` endpoint, to requests bearing the
log token it printed at start; ``run --mcp-log-token`` reads it there, so the MCP checks verify each
``mcp_call`` a target reports against the calls the server really got.
"""

from __future__ import annotations

from typing import Any

import httpx

from conformance.checks import HarnessError

LOG_PATH = "/conformance-log"
LOG_FORMAT = "responses-conformance-mcp-log/1"
_TIMEOUT = 10.0


def log_url(mcp_url: str) -> str:
    """Where the server at ``mcp_url`` (``.../mcp``) serves its log."""
    url = httpx.URL(mcp_url)
    path = url.path.rstrip("/")
    path = path.removesuffix("/mcp") if path.endswith("/mcp") else path.rsplit("/", 1)[0]
    return str(url.copy_with(path=path + LOG_PATH, query=None, fragment=None))


class RemoteMcpLog:
    """The log of the suite's MCP server at ``mcp_url``, fetched with ``token`` on every read."""

    def __init__(self, mcp_url: str, token: str) -> None:
        self.url = log_url(mcp_url)
        self._token = token

    def _fetch(self) -> dict[str, Any]:
        try:
            answer = httpx.get(self.url, headers={"Authorization": f"Bearer {self._token}"}, timeout=_TIMEOUT)
        except httpx.HTTPError as exc:
            raise HarnessError(f"the MCP server's log at {self.url} could not be read: {type(exc).__name__}") from None
        if answer.status_code != 200:
            raise HarnessError(f"the MCP server's log at {self.url} answered HTTP {answer.status_code}")
        try:
            value = answer.json()
        except ValueError:
            value = None
        if not isinstance(value, dict) or value.get("format") != LOG_FORMAT:
            raise HarnessError(f"{self.url} is not the log of responses-conformance mcp-server")
        return value

    def check(self) -> None:
        """Raise HarnessError (one line) unless the log answers."""
        self._fetch()

    def requests(self) -> list[dict[str, str]]:
        return list(self._fetch().get("requests") or [])

    def calls(self) -> list[dict[str, Any]]:
        return list(self._fetch().get("calls") or [])
