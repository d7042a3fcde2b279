"""The child process of ``start_server_process``: one reference server, configured by a JSON line on stdin.

It prints its base URL once it accepts connections, and stops when stdin closes: the parent stopped it, or
the parent died (the operating system closes the pipe).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time

import orjson
import uvicorn

from conformance.reference._uvicorn import START_TIMEOUT, base_url, bind, server_for
from conformance.reference.app import create_app
from conformance.reference.server import config_from_dict


def main() -> None:
    logging.getLogger("asyncio").setLevel(logging.ERROR)  # a client that stops reading a stream is no news here
    request = orjson.loads(sys.stdin.buffer.readline())
    sock = bind(request["host"], request["port"])
    server = server_for(create_app(config_from_dict(request["config"])))
    threading.Thread(target=_announce, args=(server, base_url(sock)), name="announce", daemon=True).start()
    threading.Thread(target=_follow_parent, args=(server,), name="parent", daemon=True).start()
    server.run(sockets=[sock])


def _announce(server: uvicorn.Server, url: str) -> None:
    """Print the URL once serving; stdout then goes to stderr (the parent reads one line only)."""
    while not server.started:
        time.sleep(0.005)
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())


def _follow_parent(server: uvicorn.Server) -> None:
    """Stop when stdin closes; exit at once if the graceful stop hangs."""
    sys.stdin.buffer.read()
    server.should_exit = True
    time.sleep(START_TIMEOUT)
    os._exit(1)


if __name__ == "__main__":
    main()
