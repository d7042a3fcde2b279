"""Everything a run created (responses, background jobs, files), cancelled or deleted at the end."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

_FINE = (404,)  # already gone


class Cleaner(Protocol):
    """What the registry needs of a client: an unbudgeted request that returns its status."""

    def cleanup_call(self, method: str, path: str) -> int: ...


class CleanupRegistry:
    """Thread-safe record of created ids; ``run`` cancels, then deletes, and never raises.

    The lock is re-entrant so ``run`` may be called from a signal handler on the thread that holds it.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._background: dict[tuple[int, str], tuple[Cleaner, str]] = {}
        self._responses: dict[tuple[int, str], tuple[Cleaner, str]] = {}
        self._files: dict[tuple[int, str], tuple[Cleaner, str]] = {}

    def add_response(self, client: Cleaner, response_id: str) -> None:
        """Delete this response at the end."""
        with self._lock:
            self._responses[(id(client), response_id)] = (client, response_id)

    def add_background(self, client: Cleaner, response_id: str) -> None:
        """Cancel this background response at the end, then delete it."""
        with self._lock:
            self._background[(id(client), response_id)] = (client, response_id)
            self._responses[(id(client), response_id)] = (client, response_id)

    def add_file(self, client: Cleaner, file_id: str) -> None:
        """Delete this file at the end."""
        with self._lock:
            self._files[(id(client), file_id)] = (client, file_id)

    def discard(self, client: Cleaner, object_id: str) -> None:
        """Forget an id the run already deleted itself."""
        with self._lock:
            for table in (self._background, self._responses, self._files):
                table.pop((id(client), object_id), None)

    def pending(self) -> int:
        """How many objects are still to be cleaned up."""
        with self._lock:
            return len(self._responses) + len(self._files)

    def run(self, workers: int = 1) -> list[str]:
        """Cancel background jobs, then delete responses and files, ``workers`` requests at a time; one line
        per object left behind (in the order they were registered)."""
        with self._lock:
            background = list(self._background.values())
            responses = list(self._responses.values())
            files = list(self._files.values())
            self._background.clear()
            self._responses.clear()
            self._files.clear()
        cancels = [_request(client, "POST", f"/responses/{rid}/cancel", f"background response {rid}")
                   for client, rid in background]
        deletes = [_request(client, "DELETE", f"/responses/{rid}", f"response {rid}") for client, rid in responses]
        deletes += [_request(client, "DELETE", f"/files/{fid}", f"file {fid}") for client, fid in files]
        _each(cancels, workers)  # a job that cannot be cancelled is still deleted: only deletes count
        return [line for line in _each(deletes, workers) if line is not None]


def _each(requests: Sequence[Callable[[], str | None]], workers: int) -> list[str | None]:
    """Send the requests, ``workers`` at a time; their problems, in order."""
    if workers <= 1 or len(requests) <= 1:
        return [send() for send in requests]
    with ThreadPoolExecutor(max_workers=min(workers, len(requests)), thread_name_prefix="cleanup") as pool:
        return list(pool.map(lambda send: send(), requests))


def _request(client: Cleaner, method: str, path: str, what: str) -> Callable[[], str | None]:
    """One cleanup request, to send later: it returns what went wrong (None when fine) and never raises."""

    def send() -> str | None:
        try:
            status = client.cleanup_call(method, path)
        except Exception as exc:  # cleanup runs on every exit path: nothing may escape
            first = (str(exc).strip().splitlines() or [""])[0]
            return f"{what}: {method} failed: {type(exc).__name__}: {first}"
        if 200 <= status < 300 or status in _FINE:
            return None
        return f"{what}: {method} returned {status}"

    return send
