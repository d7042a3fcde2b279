"""The log of the suite's own MCP server, as the MCP checks read it (in-process, or over HTTP in ``run``)."""

from __future__ import annotations

from typing import Any, Protocol


class McpLog(Protocol):
    """What the suite's MCP server saw: the headers of every HTTP request (lower-case names) and every
    ``tools/call`` it ran as ``{"tool", "arguments", "headers", "output", "is_error"}`` (``output``: the text
    the tool returned). Reading it may raise ``HarnessError`` (the log could not be fetched)."""

    def requests(self) -> list[dict[str, str]]: ...

    def calls(self) -> list[dict[str, Any]]: ...
