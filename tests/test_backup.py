"""`fairs backup` and `fairs restore`: a restored database holds exactly what was backed up."""

from __future__ import annotations

import asyncio
import os
import uuid

from tests.conftest import PG_URL, login_as
from tests.test_cli import fairs
from tests.test_fairs import offline


async def _snapshot(url: str) -> dict[str, list]:
    """Every row of every table, in a comparable form."""
    if url.startswith("sqlite:"):
        import sqlite3

        from fairs.db import sqlite_path

        def read() -> dict[str, list]:
            with sqlite3.connect(sqlite_path(url)) as conn:
                names = [r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master"
                    " WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
                return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}

        return await asyncio.to_thread(read)
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        names = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {n: sorted(repr(tuple(r)) for r in await conn.fetch(f'SELECT * FROM "{n}"'))
                for n in names}
    finally:
        await conn.close()


async def test_backup_then_restore_into_a_fresh_database(new_client, world, tmp_path):
    organiser = await login_as(new_client, "organiser")
    for day in (3, 4):
        made = await organiser.post("/api/v1/fairs", json=offline(
            world, title=f"备份测试 {day}", starts_at=f"2030-01-0{day}T09:00:00+08:00",
            ends_at=f"2030-01-0{day}T12:00:00+08:00"))
        assert made.status_code == 201
    source_url = os.environ["FAIRS_DATABASE_URL"]
    dump = tmp_path / "fairs.backup"
    done = await asyncio.to_thread(fairs, "backup", str(dump),
                                   env={"FAIRS_DATABASE_URL": source_url})
    assert done.returncode == 0, done.stderr
    assert dump.stat().st_size > 0
    if PG_URL:
        import asyncpg

        name = f"restore_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_URL)
        await admin.execute(f'CREATE DATABASE "{name}"')
        target_url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    else:
        target_url = f"sqlite:///{tmp_path / 'restored.db'}"
    try:
        done = await asyncio.to_thread(fairs, "restore", str(dump), "--yes",
                                       env={"FAIRS_DATABASE_URL": target_url})
        assert done.returncode == 0, done.stderr
        before, after = await _snapshot(source_url), await _snapshot(target_url)
        assert before == after
        assert any("备份测试 4" in row for row in after["fair"])
        # The restored database serves: migrations find nothing to do.
        migrated = await asyncio.to_thread(fairs, "migrate", env={"FAIRS_DATABASE_URL": target_url})
        assert migrated.returncode == 0, migrated.stderr
    finally:
        if PG_URL:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
