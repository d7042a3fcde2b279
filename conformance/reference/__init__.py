"""The reference server: an ASGI implementation of the Responses API with a deterministic model."""

from conformance.reference.app import create_app
from conformance.reference.config import ServerConfig
from conformance.reference.server import (
    ServerHandle,
    ServerProcess,
    serve_forever,
    start_server,
    start_server_process,
    start_server_processes,
)

__all__ = [
    "ServerConfig", "ServerHandle", "ServerProcess", "create_app", "serve_forever", "start_server",
    "start_server_process", "start_server_processes",
]
