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


async def insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple],
                      returning: bool = False, chunk: int = 500) -> list[int]:
    """Bulk seeding: multi-row INSERTs of `chunk` rows (the ids back with `returning`)."""
    from fairs import db

    ids: list[int] = []
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    for i in range(0, len(rows), chunk):
        part = rows[i:i + chunk]
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
               + ", ".join(one for _ in part) + (" RETURNING id" if returning else ""))
        args = [v for row in part for v in row]
        if returning:
            ids += [r["id"] for r in await db.execute(sql, *args)]
        else:
            await db.execute(sql, *args)
    return ids


def prepare_pg(url: str) -> bool:
    """An empty public schema in the PostgreSQL database at `url` (made if missing); False,
    said, when PostgreSQL cannot be reached."""
    import asyncio

    import asyncpg

    async def go() -> None:
        base, _, name = url.rpartition("/")
        try:
            conn = await asyncpg.connect(url)
        except asyncpg.InvalidCatalogNameError:
            admin = await asyncpg.connect(base + "/postgres")
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.close()
            conn = await asyncpg.connect(url)
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await conn.close()

    try:
        asyncio.run(go())
        return True
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"[postgres] skipped: {exc}")
        return False


def run_per_engine(module: str, pg_url: str, extra_env: dict[str, str] | None = None) -> None:
    """Run `python -m <module> --child <engine>` once on a scratch SQLite file and once on
    PostgreSQL at `pg_url` (unless FAIRS_BENCH_PG=off or it cannot be reached), each in a
    process of its own with the engine's FAIRS_DATABASE_URL."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix=f"{module.rpartition('.')[2]}-") as tmp:
        runs = [("sqlite", f"sqlite:///{tmp}/bench.db")]
        if os.environ.get("FAIRS_BENCH_PG", "on") != "off" and prepare_pg(pg_url):
            runs.append(("postgres", pg_url))
        for engine, url in runs:
            env = {**os.environ, "FAIRS_DATABASE_URL": url, "FAIRS_VAR_DIR": f"{tmp}/var",
                   "FAIRS_PASSWORD_PROFILE": "cheapest", "FAIRS_RATE_LIMITS": "off",
                   "PICCOLO_CONF": "fairs.piccolo_conf", **(extra_env or {})}
            env.pop("FAIRS_REDIS_URL", None)
            subprocess.run([sys.executable, "-m", module, "--child", engine], cwd=root,
                           env=env, check=True)
