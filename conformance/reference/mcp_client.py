"""The reference server's MCP client: list and call the tools of a streamable-HTTP MCP server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import TextContent

DEFAULT_TIMEOUT = 10.0
_MAX_PAGES = 20


class McpError(Exception):
    """The MCP server could not be reached, refused the request, or broke the protocol (one-line message)."""


async def list_tools(
    url: str, headers: dict[str, str], *, timeout: float = DEFAULT_TIMEOUT
) -> list[dict[str, Any]]:
    """The server's tools as ``{"name", "description" (None if absent), "input_schema"}``, in its order."""
    tools: list[dict[str, Any]] = []
    async with _session(url, headers, timeout) as client:
        cursor: str | None = None
        for _ in range(_MAX_PAGES):
            page = await client.list_tools(cursor=cursor)
            tools += [
                {"name": tool.name, "description": tool.description, "input_schema": tool.input_schema}
                for tool in page.tools
            ]
            cursor = page.next_cursor
            if cursor is None:
                break
    return tools


async def call_tool(
    url: str,
    headers: dict[str, str],
    name: str,
    arguments: dict[str, Any],
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> tuple[str, bool]:
    """Call one tool; its text output (text blocks joined, else the structured result as JSON) and is_error."""
    async with _session(url, headers, timeout) as client:
        result = await client.call_tool(name, arguments)
    texts = [block.text for block in result.content if isinstance(block, TextContent)]
    if not texts and result.structured_content is not None:
        texts = [json.dumps(result.structured_content, sort_keys=True)]
    return "\n".join(texts), result.is_error


@asynccontextmanager
async def _session(url: str, headers: dict[str, str], timeout: float) -> AsyncIterator[Client]:
    """A connected client, every failure turned into McpError and the whole exchange bounded by ``timeout``."""
    statuses: list[int] = []

    async def record(response: httpx2.Response) -> None:
        statuses.append(response.status_code)

    where = _redacted(url)
    try:
        with anyio.fail_after(timeout):
            async with httpx2.AsyncClient(
                headers=headers, timeout=timeout, event_hooks={"response": [record]}
            ) as http:
                async with Client(
                    streamable_http_client(url, http_client=http), read_timeout_seconds=timeout
                ) as c:
                    yield c
    except McpError:
        raise
    except TimeoutError:
        raise McpError(f"MCP server {where} did not answer within {timeout:g} s") from None
    except Exception as exc:
        failed = [status for status in statuses if status >= 400]
        if failed:
            raise McpError(f"MCP server {where} answered HTTP {failed[-1]}") from None
        cause = _root_cause(exc)
        detail = str(cause).splitlines()[0] if str(cause) else ""
        raise McpError(f"MCP server {where} failed: {type(cause).__name__}: {detail}".rstrip(": ")) from None


def _root_cause(exc: BaseException) -> BaseException:
    """The first leaf of nested exception groups (anyio task groups wrap the real error)."""
    while isinstance(inner := getattr(exc, "exceptions", None), tuple) and inner:
        exc = inner[0]
    return exc


def _redacted(url: str) -> str:
    """The URL without credentials or query string, safe to put in an error message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{f':{parts.port}' if parts.port else ''}{parts.path}"
