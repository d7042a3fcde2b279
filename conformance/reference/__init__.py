"""The reference server: an ASGI implementation of the Responses API with a deterministic model."""

from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.reference.server import ServerHandle, serve_forever, start_server

__all__ = ["ServerConfig", "ServerHandle", "create_app", "serve_forever", "start_server"]
