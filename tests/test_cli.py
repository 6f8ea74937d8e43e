"""The `fairs` command as an operator runs it: migrate, init, demo, create-user, purge."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

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


# --- from an empty database: migrate, init ----------------------------------------------------


@pytest.fixture
def fresh_env(tmp_path):
    """The environment of a new, empty database of the engine under test (on PostgreSQL a new
    database beside the test one, dropped afterwards)."""
    import asyncio

    if not PG_URL:
        yield {"FAIRS_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
               "FAIRS_VAR_DIR": str(tmp_path / "var")}
        return
    import asyncpg

    base, _, name = PG_URL.rpartition("/")
    fresh = f"{name}_init_cli"

    async def recreate(drop_only: bool = False) -> None:
        conn = await asyncpg.connect(f"{base}/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            if not drop_only:
                await conn.execute(f'CREATE DATABASE "{fresh}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    try:
        yield {"FAIRS_DATABASE_URL": f"{base}/{fresh}", "FAIRS_VAR_DIR": str(tmp_path / "var")}
    finally:
        asyncio.run(recreate(drop_only=True))


def _query(env: dict, sql: str) -> list[tuple]:
    import asyncio

    url = env["FAIRS_DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
    import asyncpg

    async def go() -> list[tuple]:
        conn = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    return asyncio.run(go())


def test_migrate_then_init_set_up_an_empty_database_once(fresh_env):
    env = fresh_env
    # Migrations: a plain line per app and a total, no emoji, and true counts.
    first = fairs("migrate", env=env)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert first.stdout.isascii(), first.stdout
    assert "already complete" not in first.stdout
    assert lines[0].startswith("accounts") and "applied 2 migrations (2 of 2 applied)" in lines[0]
    applied = sum(int(line.split("applied ", 1)[1].split(" ")[0]) for line in lines[:-1])
    assert lines[-1] == (f"applied {applied} migrations; the database is up to date "
                         f"({applied} in all)")
    again = fairs("migrate", env=env)
    assert again.returncode == 0 and again.stdout.isascii()
    assert all("up to date (" in line for line in again.stdout.splitlines()[:-1])
    assert again.stdout.splitlines()[-1] == (
        f"nothing to apply; the database is up to date ({applied} in all)")

    # No organisation yet: a login cannot be made, and the error says what to run.
    refused = fairs("create-user", "door1", "--role", "scanner", "--password", "door-pass-2026",
                    env=env)
    assert refused.returncode == 1 and "fairs init" in refused.stderr
    made = fairs("init", "--org", "QD", "--name", "青岛市", "--name-en", "Qingdao",
                 "--admin", "chief", stdin="chief-pass-2026\n", env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == ("created the top organisation qd (青岛市) and the admin "
                                   "login chief")
    count_sql = ("SELECT (SELECT COUNT(*) FROM organisation), (SELECT COUNT(*) FROM app_user), "
                 "(SELECT COUNT(*) FROM audit_entry)")
    counts = _query(env, count_sql)
    assert counts == [(1, 1, 2)]  # the organisation, its admin, and both in the audit log
    assert _query(env, "SELECT o.code, o.path, o.kind, u.role FROM app_user u "
                       "JOIN organisation o ON o.id = u.org") == [("qd", "/qd/", "city", "admin")]
    # Again with the same arguments (no password needed now): nothing changes, exit 0.
    again = fairs("init", "--org", "qd", "--name", "青岛市", "--admin", "chief", stdin="",
                  env=env)
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout and _query(env, count_sql) == counts
    # Another code: exit 1, says so, nothing changes.
    other = fairs("init", "--org", "jn", "--name", "济南市", "--admin", "chief2",
                  "--password", "chief-pass-2026", env=env)
    assert other.returncode == 1
    assert "'qd'" in other.stderr and "'jn'" in other.stderr
    assert _query(env, count_sql) == counts


def test_two_inits_at_once_make_one_organisation_and_one_admin(fresh_env):
    assert fairs("migrate", env=fresh_env).returncode == 0
    args = [sys.executable, "-m", "fairs.cli", "init", "--org", "qd", "--name", "青岛市",
            "--admin", "chief", "--password", "chief-pass-2026"]
    env = {**os.environ, **fresh_env, "FAIRS_DB_POOL_SIZE": "2"}  # a shared PostgreSQL's slots
    procs = [subprocess.Popen(args, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert sum("created the top organisation" in out for out, _err in outs) == 1
    assert _query(fresh_env, "SELECT COUNT(*) FROM organisation") == [(1,)]
    assert _query(fresh_env, "SELECT COUNT(*) FROM app_user") == [(1,)]


async def test_a_bureau_starts_from_an_empty_database(client, migrated):
    """No demo: `fairs init`, then the admin logs in, adds a district, makes its organiser
    (`fairs create-user --org`), who logs in and adds a street below it."""
    env = {"FAIRS_DATABASE_URL": os.environ["FAIRS_DATABASE_URL"]}
    made = fairs("init", "--org", "wh", "--name", "威海市", "--admin", "boss",
                 "--password", "boss-pass-2026", env=env)
    assert made.returncode == 0, made.stderr
    boss = await client.login("boss", "boss-pass-2026")
    district = await boss.post("/api/v1/orgs", json={"code": "hc", "name_zh": "环翠区",
                                                     "kind": "district", "parent": "wh"})
    assert district.status_code == 201, district.text
    staff = fairs("create-user", "hc-staff", "--role", "organiser", "--org", "hc",
                  "--password", "hc-staff-pass-1", env=env)
    assert staff.returncode == 0, staff.stderr
    client.cookies.clear()
    client.headers.pop("x-csrf-token", None)
    hc = await client.login("hc-staff", "hc-staff-pass-1")
    street = await hc.post("/api/v1/orgs", json={"code": "hc-1", "name_zh": "竹岛街道"})
    assert street.status_code == 201 and street.json()["parent"] == "hc"
    orgs = {o["code"]: o["parent"] for o in (await hc.get("/api/v1/orgs")).json()["items"]}
    assert orgs == {"wh": None, "hc": "wh", "hc-1": "hc"}


async def test_purge_command_erases_what_is_due(client, world):
    from tests.helpers import move_fair
    from tests.tickets.helpers import make_fair, register

    organiser = await client.login("organiser")
    fair = await make_fair(organiser, world)
    await register(client, fair["id"], "周八")
    from datetime import datetime, timedelta

    from fairs.i18n import TZ

    await move_fair(fair["id"], starts_at=datetime.now(TZ) - timedelta(days=9, hours=4),
                    ends_at=datetime.now(TZ) - timedelta(days=9))
    env = {"FAIRS_DATABASE_URL": os.environ["FAIRS_DATABASE_URL"], "FAIRS_RETENTION_DAYS": "7"}
    dry = fairs("purge", "--dry-run", env=env)
    assert dry.returncode == 0 and dry.stdout.startswith(
        "would erase the personal data of 1 registration of 1 fair"), dry.stdout
    done = fairs("purge", env=env)
    assert done.returncode == 0 and done.stdout.startswith(
        "erased the personal data of 1 registration of 1 fair"), done.stdout
    assert "(retention: 7 days)" in done.stdout
    from fairs import db

    rows = await db.fetch("SELECT name, phone FROM registration")
    assert [(r["name"], r["phone"][:1]) for r in rows] == [("", "#")]
