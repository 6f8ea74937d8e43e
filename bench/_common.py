"""What the benchmarks share: a scratch folder and database, and a migrated database holding the
demo's organisations, staff, venues and channels. Imports of `fairs` happen inside the functions:
FAIRS_DATABASE_URL must be set before the app's modules are loaded."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def scratch_env() -> Path:
    """A new temporary folder for the run's files; FAIRS_DATABASE_URL is
    FAIRS_BENCH_DATABASE_URL's PostgreSQL when given, else a SQLite file in that folder."""
    tmp = Path(tempfile.mkdtemp(prefix="fairs-bench-"))
    os.environ["FAIRS_DATABASE_URL"] = os.environ.get(
        "FAIRS_BENCH_DATABASE_URL", f"sqlite:///{tmp / 'bench.db'}")
    os.environ.setdefault("PICCOLO_CONF", "fairs.piccolo_conf")
    os.environ["FAIRS_VAR_DIR"] = str(tmp / "var")
    return tmp


async def migrated_with_staff(reset: bool = False) -> Any:
    """Start the engine on FAIRS_DATABASE_URL, run the real migrations and load the demo's
    organisations, users, venues and channels; returns the demo context (`ctx.ids`). With
    `reset`, a PostgreSQL database is emptied first (its public schema dropped)."""
    from fairs import db, demo
    from fairs.accounts import demo as accounts_demo
    from fairs.catalog import demo as catalog_demo
    from fairs.cli import migrate
    from fairs.settings import Settings
    from fairs.slices import connect_hooks

    url = os.environ["FAIRS_DATABASE_URL"]
    if reset and url.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(url)
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()
    await db.start()
    await migrate(Settings.from_env(), quiet=True)
    connect_hooks()
    ctx = demo.DemoContext()
    await accounts_demo.load(ctx)
    await catalog_demo.load(ctx)
    return ctx
