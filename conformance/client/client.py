"""The Responses API client the checks use: every request goes through retry, budget and evidence."""

from __future__ import annotations

import copy
import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from conformance.client._auth import SecretAuth
from conformance.client._budget import Budget
from conformance.client._cleanup import CleanupRegistry
from conformance.client._errors import RateLimited, TargetUnreachable
from conformance.client._evidence import Evidence, Exchange, parse_data
from conformance.client._redact import Secrets, mcp_header_values, redact_url
from conformance.client._retry import Attempt, RetryPolicy
from conformance.client._sse import EventStream
from conformance.client._target import Target


class _Default(enum.Enum):
    TARGET = "target"


TARGET_VERSION = _Default.TARGET


@dataclass(frozen=True)
class ApiResponse:
    """One answer: status, headers, the body parsed as JSON (None when it is not JSON), its text and bytes."""

    status_code: int
    headers: Mapping[str, str]
    body: Any
    text: str
    content: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def json_or_none(self) -> dict[str, Any] | None:
        """The body when it is a JSON object."""
        return self.body if isinstance(self.body, dict) else None


class ResponsesClient:
    """A synchronous client of one target; share ``budget``, ``cleanup`` and ``secrets`` across cells."""

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.BaseTransport | None = None,
        evidence: Evidence | None = None,
        retry: RetryPolicy | None = None,
        budget: Budget | None = None,
        cleanup: CleanupRegistry | None = None,
        secrets: Secrets | None = None,
    ) -> None:
        self.target = target
        self._owner = self  # bound clients register what they create under the client they came from
        self.secrets = secrets if secrets is not None else Secrets()
        self.evidence = evidence if evidence is not None else Evidence(self.secrets)
        self.retry = retry if retry is not None else RetryPolicy()
        self.budget = budget if budget is not None else Budget()
        self.cleanup = cleanup if cleanup is not None else CleanupRegistry()
        if isinstance(target.auth, SecretAuth):
            self.secrets.add_source(target.auth.secret_values)
        self.secrets.add_headers(target.extra_headers)
        self._owns_http = True
        self._http = httpx.Client(
            transport=transport, auth=target.auth, headers=dict(target.extra_headers),
            timeout=httpx.Timeout(target.timeout), follow_redirects=False,
        )

    def bind(self, evidence: Evidence) -> ResponsesClient:
        """The same client (connections, budget, cleanup, secrets) logging into another check's evidence."""
        bound = copy.copy(self)
        bound.evidence = evidence
        bound._owns_http = False
        return bound

    # -- responses -------------------------------------------------------------------------------------

    def create(self, body: dict[str, Any], *, headers: Mapping[str, str] | None = None) -> ApiResponse:
        """POST /responses (``model`` from the target when absent, output tokens capped by the budget)."""
        sent = self._prepare(body)
        response = self._call("POST", "/responses", json=sent, headers=headers)
        self._register(sent, response.json_or_none)
        return response

    def stream(self, body: dict[str, Any], *, headers: Mapping[str, str] | None = None) -> EventStream:
        """POST /responses with ``stream: true``; iterate the answer's events as they arrive."""
        sent = {**self._prepare(body), "stream": True}
        return self._open("POST", "/responses", sent=sent, json=sent, headers=headers)

    def retrieve(self, response_id: str, *, include: list[str] | None = None) -> ApiResponse:
        """GET /responses/{id}."""
        params = {"include[]": include} if include else None
        return self._call("GET", f"/responses/{response_id}", params=params)

    def retrieve_stream(self, response_id: str, *, starting_after: int | None = None) -> EventStream:
        """GET /responses/{id}?stream=true[&starting_after=N]: replay or resume a streamed response."""
        params: dict[str, Any] = {"stream": "true"}
        if starting_after is not None:
            params["starting_after"] = starting_after
        return self._open("GET", f"/responses/{response_id}", params=params)

    def delete(self, response_id: str) -> ApiResponse:
        """DELETE /responses/{id} (a deleted response needs no cleanup)."""
        response = self._call("DELETE", f"/responses/{response_id}")
        if response.ok:
            self.cleanup.discard(self._owner, response_id)
        return response

    def cancel(self, response_id: str) -> ApiResponse:
        """POST /responses/{id}/cancel."""
        return self._call("POST", f"/responses/{response_id}/cancel")

    def input_items(self, response_id: str, **params: Any) -> ApiResponse:
        """GET /responses/{id}/input_items (``limit``, ``order``, ``after``, ``before``)."""
        return self._call("GET", f"/responses/{response_id}/input_items", params=params or None)

    # -- files -----------------------------------------------------------------------------------------

    def upload_file(
        self, filename: str, data: bytes, purpose: str, mime: str = "application/octet-stream"
    ) -> ApiResponse:
        """POST /files (multipart ``purpose`` and ``file``); the file is deleted at the end of the run."""
        response = self._call("POST", "/files", data={"purpose": purpose}, files={"file": (filename, data, mime)})
        body = response.json_or_none
        if response.ok and body is not None and isinstance(body.get("id"), str):
            self.cleanup.add_file(self._owner, body["id"])
        return response

    def retrieve_file(self, file_id: str) -> ApiResponse:
        """GET /files/{id}."""
        return self._call("GET", f"/files/{file_id}")

    def delete_file(self, file_id: str) -> ApiResponse:
        """DELETE /files/{id}."""
        response = self._call("DELETE", f"/files/{file_id}")
        if response.ok:
            self.cleanup.discard(self._owner, file_id)
        return response

    def file_content(self, file_id: str) -> ApiResponse:
        """GET /files/{id}/content (``text`` holds the bytes decoded; ``body`` is None unless JSON)."""
        return self._call("GET", f"/files/{file_id}/content")

    # -- anything else ---------------------------------------------------------------------------------

    def raw(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | str | None = None,
        auth: bool | httpx.Auth = True,
        api_version: str | _Default | None = TARGET_VERSION,
    ) -> ApiResponse:
        """Any request, as given, for negative cases: no model, no token cap, no cleanup.

        ``auth=False`` sends no credentials (or pass another ``httpx.Auth``); ``api_version=None`` omits
        the query parameter, a string replaces it.
        """
        if json is not None:
            self.secrets.add(*mcp_header_values(json))
        return self._call(
            method, path, json=json, params=params, headers=headers, content=content, auth=auth,
            api_version=api_version,
        )

    def cleanup_call(self, method: str, path: str) -> int:
        """An unbudgeted request for the cleanup registry; its status."""
        response, _ = self._send(method, path, quiet=True)
        return response.status_code

    def close(self) -> None:
        """Close the connections (only when this client opened them)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ResponsesClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ResponsesClient({self.target.api_style} {self.target.host} model={self.target.model!r})"

    # -- internals -------------------------------------------------------------------------------------

    def _prepare(self, body: dict[str, Any]) -> dict[str, Any]:
        self.secrets.add(*mcp_header_values(body))
        sent = body if "model" in body or not self.target.model else {"model": self.target.model, **body}
        return self.budget.cap_tokens(sent)

    def _register(self, sent: Mapping[str, Any], answer: Any) -> None:
        """Remember a created response for cleanup (a background one is also cancelled)."""
        if not isinstance(answer, dict) or answer.get("object", "response") != "response":
            return
        rid = answer.get("id")
        if isinstance(rid, str):
            add = self.cleanup.add_background if sent.get("background") is True else self.cleanup.add_response
            add(self._owner, rid)

    def _query(self, path: str, api_version: str | _Default | None, params: Mapping[str, Any] | None) -> dict[str, Any]:
        query: dict[str, Any] = dict(self.target.params(path))
        if api_version is None:
            query.pop("api-version", None)
        elif isinstance(api_version, str):
            query["api-version"] = api_version
        query.update(params or {})
        return query

    def _call(self, method: str, path: str, **kwargs: Any) -> ApiResponse:
        response, _ = self._send(method, path, **kwargs)
        text = response.text
        body = parse_data(text) if text else None
        parsed = body if not isinstance(body, str) else None
        return ApiResponse(response.status_code, response.headers, parsed, text, response.content)

    def _open(self, method: str, path: str, *, sent: Mapping[str, Any] | None = None, **kwargs: Any) -> EventStream:
        started = time.monotonic()
        response, exchange = self._send(method, path, stream=True, **kwargs)

        def observe(data: Any) -> None:
            if sent is not None and isinstance(data, dict) and "response" in data:
                self._register(sent, data["response"])

        stream = EventStream(response, exchange=exchange, reopen=self._reopen, started=started, on_event=observe)
        if sent is not None and not stream.is_sse:
            self._register(sent, stream.body)  # a server that ignored stream: true still created a response
        return stream

    def _reopen(self, response_id: str, after: int) -> EventStream:
        return self.retrieve_stream(response_id, starting_after=after)

    def _send(
        self,
        method: str,
        path: str,
        *,
        auth: bool | httpx.Auth = True,
        api_version: str | _Default | None = TARGET_VERSION,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        quiet: bool = False,
        **content: Any,
    ) -> tuple[httpx.Response, Exchange | None]:
        """Send with retries; charge the budget and log evidence unless ``quiet`` (cleanup requests)."""
        request = self._http.build_request(
            method, self.target.url(path), params=self._query(path, api_version, params), **content
        )
        chosen: dict[str, Any] = {} if auth is True else {"auth": None if auth is False else auth}
        attempts: list[Attempt] = []
        started = time.monotonic()

        def once() -> httpx.Response:
            if not quiet:
                self.budget.charge_request()
            return self._http.send(request, stream=True, **chosen)

        try:
            response = self.retry.call(once, attempts)
            is_sse = stream and response.headers.get("content-type", "").startswith("text/event-stream")
            if not is_sse:
                response.read()
                response.close()
        except httpx.HTTPError as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            message = self.secrets.scrub(f"{method} {redact_url(str(request.url))}: {type(exc).__name__}: {first}")
            if not quiet:
                self.evidence.record(request, None, attempts, time.monotonic() - started, error=message)
            raise TargetUnreachable(message) from None
        if quiet:
            return response, None
        exchange = self.evidence.record(request, response, attempts, time.monotonic() - started, events=is_sse)
        if response.status_code == 429:
            response.close()
            raise RateLimited(f"{method} {path}: still 429 (rate limited) after {len(attempts)} attempts")
        return response, exchange if is_sse else None
