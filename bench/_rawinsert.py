"""The check-in benchmark's raw floor: a minimal ASGI app (no framework, no middleware) whose
every POST inserts one `scan` row of the bench insert's shape with the standard library's
sqlite3 (one connection, WAL, the app's `synchronous` setting, a commit per row) and answers
`{"ok":true}`, served by the same uvicorn as the app. What a check-in costs above it is the
framework, the app's stack and the check-in's own work.
`uvicorn --factory bench._rawinsert:create_app` with FAIRS_DATABASE_URL a sqlite:/// file."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

SQL = ("INSERT INTO scan (fair, scanned_at, received_at, device, method, kind, result, offline) "
       "VALUES (?, ?, ?, 'bench', 'scan', '', 'bench', 0)")
OK = b'{"ok":true}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(OK)).encode())]


def create_app():
    path = os.environ["FAIRS_DATABASE_URL"].removeprefix("sqlite:///")
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {os.environ.get('FAIRS_SQLITE_SYNCHRONOUS', 'NORMAL')}")
    fair = int(os.environ.get("FAIRS_BENCH_FAIR", "1"))

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        more = True
        while more:  # the request's body, read and dropped
            message = await receive()
            more = message.get("more_body", False)
        now = datetime.now(UTC).isoformat()
        conn.execute(SQL, (fair, now, now))
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": OK})

    return app
