"""The `fairs` command as an operator runs it: migrate, demo, create-user."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

from tests.conftest import PG_URL


def fairs(*args: str, stdin: str | None = None, env: dict | None = None):
    return subprocess.run(
        [sys.executable, "-m", "fairs.cli", *args], input=stdin, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def test_migrate_demo_and_create_user_on_a_fresh_database(tmp_path):
    env = {"FAIRS_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
           "FAIRS_VAR_DIR": str(tmp_path / "var")}
    assert fairs("migrate", env=env).returncode == 0
    again = fairs("migrate", env=env)  # idempotent
    assert again.returncode == 0, again.stderr
    first = fairs("demo", "--if-empty", env=env)
    assert first.returncode == 0, first.stderr
    assert "organiser" in first.stdout and "organiser-demo-2026" in first.stdout
    loaded = _row_counts(tmp_path / "fresh.db")
    assert loaded["organisation"] == 9 and loaded["venue"] == 5 and loaded["fair"] > 0
    assert "already has data" in fairs("demo", "--if-empty", env=env).stdout
    second = fairs("demo", env=env)  # idempotent: nothing twice
    assert second.returncode == 0, second.stderr
    assert _row_counts(tmp_path / "fresh.db") == loaded
    made = fairs("create-user", "door2", "--role", "scanner", "--org", "xha",
                 stdin="door-two-password\n", env=env)
    assert made.returncode == 0, made.stderr
    dup = fairs("create-user", "door2", "--role", "scanner", stdin="door-two-password\n", env=env)
    assert dup.returncode != 0 and "taken" in dup.stderr
    short = fairs("create-user", "door3", "--role", "scanner", "--password", "short", env=env)
    assert short.returncode != 0 and "password" in short.stderr
    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        row = conn.execute(
            "SELECT role, (SELECT code FROM organisation WHERE id = app_user.org)"
            " FROM app_user WHERE username = 'door2'").fetchone()
    assert row == ("scanner", "xha")
    assert _row_counts(tmp_path / "fresh.db")["app_user"] == loaded["app_user"] + 1


def _row_counts(path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


async def test_created_user_can_log_in(client, world):
    env = {"FAIRS_DATABASE_URL": os.environ["FAIRS_DATABASE_URL"]}
    made = fairs("create-user", "door9", "--role", "scanner", "--org", "gzk",
                 "--password", "door-nine-password", env=env)
    assert made.returncode == 0, made.stderr
    response = await client.post("/api/v1/auth/login",
                                 json={"username": "door9", "password": "door-nine-password"})
    assert response.status_code == 200
    me = (await client.get("/api/v1/auth/me")).json()
    assert me["roles"] == ["scanner"] and me["org"] == "gzk"
    assert PG_URL or os.environ["FAIRS_DATABASE_URL"].startswith("sqlite")


def test_demo_loads_on_the_engine_under_test(tmp_path):
    """`fairs migrate` then `fairs demo` on a fresh database of the engine under test: on
    PostgreSQL, a new database beside the test one. (The tickets step once wrote into asyncpg's
    read-only rows, so `fairs demo` failed on PostgreSQL.)"""
    import asyncio

    if PG_URL:
        import asyncpg

        base, _, name = PG_URL.rpartition("/")
        fresh = f"{name}_demo_cli"

        async def recreate(drop_only: bool = False) -> None:
            conn = await asyncpg.connect(f"{base}/postgres")
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
                if not drop_only:
                    await conn.execute(f'CREATE DATABASE "{fresh}"')
            finally:
                await conn.close()

        async def counts() -> dict[str, int]:
            conn = await asyncpg.connect(f"{base}/{fresh}")
            try:
                return {t: await conn.fetchval(f'SELECT COUNT(*) FROM "{t}"')
                        for t in ("fair", "registration", "admission", "booking")}
            finally:
                await conn.close()

        asyncio.run(recreate())
        url = f"{base}/{fresh}"
    else:
        url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {"FAIRS_DATABASE_URL": url, "FAIRS_VAR_DIR": str(tmp_path / "var")}
    try:
        assert fairs("migrate", env=env).returncode == 0
        loaded = fairs("demo", env=env)
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        held = asyncio.run(counts()) if PG_URL else {
            t: n for t, n in _row_counts(tmp_path / "demo.db").items()
            if t in ("fair", "registration", "admission", "booking")}
        assert all(held[t] > 0 for t in ("fair", "registration", "admission", "booking")), held
    finally:
        if PG_URL:
            asyncio.run(recreate(drop_only=True))
