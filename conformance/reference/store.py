"""SQLite storage of responses, input items, stream event logs, files and background jobs."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY, body BLOB NOT NULL, request BLOB NOT NULL, stream INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS input_items (
    response_id TEXT NOT NULL, pos INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (response_id, pos)
);
CREATE TABLE IF NOT EXISTS events (
    response_id TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (response_id, seq)
);
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, meta BLOB NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (response_id TEXT PRIMARY KEY, headers BLOB NOT NULL);
"""


@dataclass(frozen=True)
class StoredResponse:
    """A stored response with the request that created it."""

    body: dict[str, Any]
    request: dict[str, Any]
    stream: bool


def _dump(value: Any) -> bytes:
    return orjson.dumps(value)


class Store:
    """One SQLite database (a file, or ``:memory:``); safe to share between threads."""

    def __init__(self, path: str = ":memory:") -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def _many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(sql, rows)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # responses

    def put_response(
        self, body: dict[str, Any], request: dict[str, Any], stream: bool, items: list[dict[str, Any]]
    ) -> None:
        """Store a new response, its request and its input items."""
        rid = body["id"]
        self._run(
            "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)", (rid, _dump(body), _dump(request), int(stream))
        )
        self._many("INSERT OR REPLACE INTO input_items VALUES (?, ?, ?)", [(rid, i, _dump(x)) for i, x in enumerate(items)])

    def update_response(self, body: dict[str, Any]) -> None:
        """Replace the body of a stored response."""
        self._run("UPDATE responses SET body = ? WHERE id = ?", (_dump(body), body["id"]))

    def get_response(self, rid: str) -> StoredResponse | None:
        """The stored response, or None."""
        rows = self._run("SELECT body, request, stream FROM responses WHERE id = ?", (rid,))
        if not rows:
            return None
        body, request, stream = rows[0]
        return StoredResponse(orjson.loads(body), orjson.loads(request), bool(stream))

    def delete_response(self, rid: str) -> bool:
        """Delete a response with its items, events and job; False when it did not exist."""
        with self._lock:
            cur = self._db.execute("DELETE FROM responses WHERE id = ?", (rid,))
            for table in ("input_items", "events", "jobs"):
                self._db.execute(f"DELETE FROM {table} WHERE response_id = ?", (rid,))
            return cur.rowcount > 0

    def input_items(self, rid: str) -> list[dict[str, Any]]:
        """The input items of a response, in request order."""
        rows = self._run("SELECT body FROM input_items WHERE response_id = ? ORDER BY pos", (rid,))
        return [orjson.loads(r[0]) for r in rows]

    # event logs

    def append_events(self, rid: str, events: list[dict[str, Any]]) -> None:
        """Append events (already numbered) to the stream log of a response."""
        self._many("INSERT INTO events VALUES (?, ?, ?)", [(rid, e["sequence_number"], _dump(e)) for e in events])

    def events_after(self, rid: str, after: int) -> list[dict[str, Any]]:
        """Logged events with ``sequence_number > after``, in order."""
        rows = self._run("SELECT body FROM events WHERE response_id = ? AND seq > ? ORDER BY seq", (rid, after))
        return [orjson.loads(r[0]) for r in rows]

    def next_seq(self, rid: str) -> int:
        """The sequence number the next logged event gets."""
        rows = self._run("SELECT MAX(seq) FROM events WHERE response_id = ?", (rid,))
        return 0 if rows[0][0] is None else int(rows[0][0]) + 1

    # files

    def put_file(self, meta: dict[str, Any], data: bytes) -> None:
        """Store an uploaded file."""
        self._run("INSERT INTO files VALUES (?, ?, ?)", (meta["id"], _dump(meta), data))

    def get_file(self, fid: str) -> dict[str, Any] | None:
        """The metadata of a file, or None."""
        rows = self._run("SELECT meta FROM files WHERE id = ?", (fid,))
        return orjson.loads(rows[0][0]) if rows else None

    def file_data(self, fid: str) -> bytes | None:
        """The content of a file, or None."""
        rows = self._run("SELECT data FROM files WHERE id = ?", (fid,))
        return bytes(rows[0][0]) if rows else None

    def list_files(self) -> list[dict[str, Any]]:
        """Metadata of every file, oldest first."""
        return [orjson.loads(r[0]) for r in self._run("SELECT meta FROM files ORDER BY rowid")]

    def delete_file(self, fid: str) -> bool:
        """Delete a file; False when it did not exist."""
        with self._lock:
            return self._db.execute("DELETE FROM files WHERE id = ?", (fid,)).rowcount > 0

    # background jobs

    def put_job(self, rid: str, headers: dict[str, str]) -> None:
        """Record a background job that is not finished yet."""
        self._run("INSERT OR REPLACE INTO jobs VALUES (?, ?)", (rid, _dump(headers)))

    def finish_job(self, rid: str) -> None:
        """Forget a finished background job."""
        self._run("DELETE FROM jobs WHERE response_id = ?", (rid,))

    def pending_jobs(self) -> list[tuple[str, dict[str, str]]]:
        """Background jobs left unfinished (e.g. by a restart)."""
        return [(r[0], orjson.loads(r[1])) for r in self._run("SELECT response_id, headers FROM jobs")]
