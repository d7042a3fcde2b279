"""The ASGI app factory: routes under the three URL styles, auth, api-version rules and error envelopes."""

from __future__ import annotations

import contextlib
import hmac
import re
from collections.abc import AsyncIterator, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance.reference.api_files import FilesApi
from conformance.reference.api_responses import ResponsesApi
from conformance.reference.background import Jobs
from conformance.reference.config import ServerConfig
from conformance.reference.engine import Engine
from conformance.reference.errors import ApiError, bad_request
from conformance.reference.store import Store

Handler = Callable[[Request], Awaitable[Response]]

# URL prefix -> API style: OpenAI, Azure v1, Azure deployments (dated api-version).
PREFIXES = {"/v1": "openai", "/openai/v1": "azure-v1", "/openai": "azure-deployments"}
V1_VERSIONS = (None, "preview", "v1", "latest")
_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})(-preview)?$")
_MIN_DATED = {"responses": "2025-03-01", "files": "2024-02-01"}


def _authorize(request: Request, key: str) -> None:
    given = request.headers.get("api-key")
    auth = request.headers.get("authorization", "")
    if given is None and auth[:7].lower() == "bearer ":
        given = auth[7:].strip()
    if not given:
        raise ApiError(
            401,
            "You didn't provide an API key. Send it in the 'api-key' header or as 'Authorization: Bearer <key>'.",
            code="missing_api_key",
        )
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")


def _check_version(request: Request, style: str, resource: str) -> None:
    version = request.query_params.get("api-version")
    if style == "azure-v1" and version not in V1_VERSIONS:
        raise bad_request(
            f"API version '{version}' is not supported on the v1 surface: use 'preview' or 'v1'.",
            "api-version",
            "unsupported_api_version",
        )
    if style == "azure-deployments":
        match = _DATED.match(version or "")
        if version is None:
            raise bad_request("Missing required query parameter 'api-version'.", "api-version", "missing_api_version")
        if match is None or match.group(1) < _MIN_DATED[resource]:
            raise bad_request(f"API version '{version}' is not supported.", "api-version", "unsupported_api_version")


def _guarded(handler: Handler, config: ServerConfig, style: str, resource: str) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            _authorize(request, config.api_key)
            _check_version(request, style, resource)
            return await handler(request)
        except ApiError as exc:
            return exc.response()

    endpoint.__doc__ = handler.__doc__
    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error = ApiError(exc.status_code, str(exc.detail), code="not_found" if exc.status_code == 404 else None)
    return JSONResponse(error.envelope(), status_code=exc.status_code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    error = ApiError(500, "The reference server had an internal error.", type="server_error", code="server_error")
    return error.response()


def create_app(config: ServerConfig) -> Starlette:
    """A reference server app over its own store (``config.db``), committing ``config.violations`` and showing
    ``config.variations`` if any."""
    if config.violations:
        from conformance.reference.violations import unknown_violations

        unknown = unknown_violations(config.violations)
        if unknown:
            raise ValueError(f"unknown violation(s): {', '.join(unknown)}")
    if config.variations:
        from conformance.reference.variations import unknown_variations

        if unknown := unknown_variations(config.variations):
            raise ValueError(f"unknown legal variation(s): {', '.join(unknown)}")
    store = Store(config.db)
    engine = Engine(config, store)
    jobs = Jobs(config, store, engine)
    responses = ResponsesApi(config, store, engine, jobs)
    files = FilesApi(config, store)
    table: list[tuple[str, Handler, list[str], str]] = [
        ("/responses", responses.create, ["POST"], "responses"),
        ("/responses/{rid}", responses.response, ["GET", "DELETE"], "responses"),
        ("/responses/{rid}/cancel", responses.cancel, ["POST"], "responses"),
        ("/responses/{rid}/input_items", responses.input_items, ["GET"], "responses"),
        ("/files", files.collection, ["GET", "POST"], "files"),
        ("/files/{fid}", files.item, ["GET", "DELETE"], "files"),
        ("/files/{fid}/content", files.content, ["GET"], "files"),
    ]
    routes = [
        Route(prefix + path, _guarded(handler, config, style, resource), methods=methods)
        for prefix, style in PREFIXES.items()
        for path, handler, methods, resource in table
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        jobs.resume_pending()
        yield
        await jobs.shutdown()
        store.close()

    middleware = []
    if config.variations:  # how the server talks (framing, encoding, extra fields): around everything else
        from conformance.reference.variations import VaryingMiddleware

        middleware.append(Middleware(VaryingMiddleware, names=list(config.variations)))
    if config.violations:  # as a gateway in front of the server would be
        from conformance.reference.violations import ViolatingMiddleware

        middleware.append(Middleware(ViolatingMiddleware, names=list(config.violations)))
    if config.faults:
        from conformance.reference.faults import FaultMiddleware

        middleware.append(Middleware(FaultMiddleware, faults=config.faults))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.config = config
    app.state.store = store
    app.state.jobs = jobs
    return app
