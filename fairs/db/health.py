"""The database's health, for /api/v1/health."""

from __future__ import annotations

import asyncio

from piccolo.engine.base import Engine

from fairs.db.engine import current_engine
from fairs.db.tx import fetch


async def check_database(engine: Engine | None = None, wait: float = 3.0) -> tuple[bool, str]:
    """(healthy, why): one `SELECT 1` (a read: it does not wait for the SQLite writer)."""
    engine = engine or current_engine()
    try:
        async with asyncio.timeout(wait):  # no task made per check, as wait_for makes one
            rows = await fetch("SELECT 1 AS ok", engine=engine)
        return (bool(rows) and rows[0].get("ok") == 1, "ok")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        return (False, type(exc).__name__)
