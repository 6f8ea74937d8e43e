"""A lock across processes and machines, by name: one migrating, one purging, one delivering.

SQLite: an advisory lock on a file beside the database (every process that may write the
database sees that file). PostgreSQL: a session-level advisory lock held on a connection of its
own (outside the pool: held across transactions, released when the connection closes, also when
the process dies). Callers name the lock; they never ask which engine runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import zlib
from collections.abc import AsyncIterator

from fairs.db.engine import sqlite_path


def _key(name: str) -> int:
    """A stable 32-bit advisory-lock key for a name (the same in every process)."""
    return zlib.crc32(f"fairs:{name}".encode())


@contextlib.asynccontextmanager
async def process_lock(database_url: str, name: str, *, wait: bool = True) -> AsyncIterator[bool]:
    """Hold the lock `name` for the block. Yields True when held; with `wait=False` it yields
    False at once when another process holds it (the block then does nothing of its own)."""
    if database_url.startswith("sqlite"):
        path = sqlite_path(database_url) + f".{name}-lock"
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as fh:
            if wait:
                await asyncio.to_thread(fcntl.flock, fh, fcntl.LOCK_EX)
            else:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        if wait:
            await conn.execute("SELECT pg_advisory_lock($1)", _key(name))
            held = True
        else:
            held = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _key(name)))
        try:
            yield held
        finally:
            if held:
                await conn.execute("SELECT pg_advisory_unlock($1)", _key(name))
    finally:
        await conn.close()
