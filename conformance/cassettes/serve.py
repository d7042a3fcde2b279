"""``serve --from-cassettes DIR``: an HTTP server that answers from recorded cassettes.

A request gets the next unplayed answer recorded for the same method, path, query and JSON body; failing that,
for the same method, path and query (a gateway or an SDK rarely sends byte-identical bodies); else a 501.
Successful answers come first (the suite also sends the same body with a wrong key, to get a 401).
"""

from __future__ import annotations

import socket
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.cassettes._scrub import RESOURCE_PLACEHOLDER, Scrubber
from conformance.cassettes._store import CassetteError, load
from conformance.cassettes.verify import cassette_files
from conformance.client import Secrets

METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH"]
Answer = dict[str, Any]


class Recordings:
    """Every interaction under a folder, indexed for the server; ``errors`` names the unusable cassettes."""

    def __init__(self, root: Path) -> None:
        self.errors: list[str] = []
        self.count = 0
        self._exact: dict[tuple[str, str, str], list[Answer]] = defaultdict(list)
        self._loose: dict[tuple[str, str], list[Answer]] = defaultdict(list)
        self._played: dict[int, int] = defaultdict(int)
        for path in cassette_files(root):
            try:
                cassette = load(path)
            except CassetteError as exc:
                self.errors.append(str(exc))
                continue
            for request, response in zip(cassette.requests, cassette.responses, strict=True):
                target = _target(request.uri)
                body = request.body.decode("utf-8", "replace") if isinstance(request.body, bytes) else str(request.body or "")
                self._exact[(request.method, target, body)].append(response)
                self._loose[(request.method, target)].append(response)
                self.count += 1
        for answers in [*self._exact.values(), *self._loose.values()]:
            answers.sort(key=lambda answer: not 200 <= int(answer["status"]["code"]) < 300)

    def answer(self, method: str, target: str, body: str) -> Answer | None:
        """The next answer for this request (the last one again once all were played), or None."""
        answers = self._exact.get((method, target, body)) or self._loose.get((method, target))
        if not answers:
            return None
        played = self._played[id(answers)]
        self._played[id(answers)] = played + 1
        return answers[min(played, len(answers) - 1)]


def create_cassette_app(recordings: Recordings) -> Starlette:
    """The ASGI app answering from ``recordings`` (placeholder hosts become this server's URL)."""
    normaliser = Scrubber(Secrets(), {})

    async def endpoint(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        body = normaliser.request_body(await request.body(), request.headers.get("content-type", ""))
        answer = recordings.answer(request.method, _target(target), body)
        if answer is None:
            message = f"no recorded answer for {request.method} {request.url.path}"
            error = {"message": message, "type": "invalid_request_error", "code": "no_recorded_answer", "param": None}
            return JSONResponse({"error": error}, status_code=501)
        raw = answer["body"]["string"]
        raw = raw.encode() if isinstance(raw, str) else raw
        base = str(request.base_url).rstrip("/")
        raw = raw.replace(RESOURCE_PLACEHOLDER.encode(), base.encode())
        headers = {k: v[0] for k, v in answer["headers"].items() if k != "content-length" and v}
        return Response(raw, status_code=int(answer["status"]["code"]), headers=headers)

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=METHODS)])


def serve_cassettes(recordings: Recordings, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve in the foreground until interrupted; ``announce`` gets the base URL once bound."""
    config = uvicorn.Config(create_cassette_app(recordings), log_level="warning")
    server = uvicorn.Server(config)
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    announce(f"http://{bound_host}:{bound_port}")
    server.run(sockets=[sock])


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _target(uri: str) -> str:
    """Path and query of a URL, the query's pairs sorted (placeholder and real hosts compare equal)."""
    parts = urlsplit(uri)
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return parts.path + (f"?{query}" if query else "")
