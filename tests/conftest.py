"""Test set-up: a real database (a fresh SQLite file, or FAIRS_TEST_DATABASE_URL's PostgreSQL),
made by the real migrations, cleaned between tests; the app served in-process through httpx.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="fairs-tests-"))
PG_URL = os.environ.get("FAIRS_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("FAIRS_TEST_REDIS_URL", "")
os.environ["FAIRS_DATABASE_URL"] = PG_URL or f"sqlite:///{_TMP / 'test.db'}"
os.environ["FAIRS_VAR_DIR"] = str(_TMP / "var")
os.environ["FAIRS_PASSWORD_PROFILE"] = "cheapest"
os.environ["FAIRS_RATE_LIMITS"] = os.environ.get("FAIRS_TEST_RATE_LIMITS", "off")
# No scheduled purge of personal data in the apps and servers the tests start (it would erase
# what a test set up on its own clock); tests/test_retention.py runs the schedule itself.
os.environ["FAIRS_PURGE_INTERVAL_HOURS"] = "0"
# No delivery worker in the apps and servers the tests start; tests/notify start their own.
os.environ["FAIRS_NOTIFY_WORKER"] = "off"
os.environ.pop("FAIRS_REDIS_URL", None)
if REDIS_URL and PG_URL:
    # Scale-out configuration: PostgreSQL with Redis for sessions, limits and live events. The
    # SQLite run keeps the in-memory stores (one process), as `make run` does.
    os.environ["FAIRS_REDIS_URL"] = REDIS_URL
os.environ.setdefault("PICCOLO_CONF", "fairs.piccolo_conf")

import httpx  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402

from fairs import db  # noqa: E402
from fairs.settings import Settings  # noqa: E402
from fairs.slices import connect_hooks  # noqa: E402

connect_hooks()  # services called without the app see every slice's receivers, as in the app

KEEP_TABLES = {"industry", "audience", "migration"}
DEMO_PASSWORDS = {
    "admin": "admin-demo-2026",
    "organiser": "organiser-demo-2026",
    "gzk": "gzk-demo-2026",
    "jiaozhou": "jiaozhou-demo-2026",
    "scanner": "scanner-demo-2026",
}


def engine_kind() -> str:
    return "postgres" if PG_URL else "sqlite"


def test_env() -> dict[str, str]:
    """The environment for a subprocess (a real server) that shares the test database."""
    env = {k: v for k, v in os.environ.items()}
    return env


async def _reset_postgres() -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def _app_tables() -> list[str]:
    names: list[str] = []
    for app_config in Finder().get_app_registry().app_configs.values():
        for table in app_config.table_classes:
            names.append(table._meta.tablename)
    return [n for n in names if n not in KEEP_TABLES]


async def clean_database() -> None:
    tables = _app_tables()
    if db.is_sqlite():
        async with db.write_transaction():
            for name in reversed(tables):
                await db.execute(f'DELETE FROM "{name}"')
    else:
        joined = ", ".join(f'"{n}"' for n in tables)
        await db.execute(f"TRUNCATE {joined} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
async def migrated() -> AsyncIterator[None]:
    from fairs.cli import migrate

    if PG_URL:
        await _reset_postgres()
    if REDIS_URL:
        import redis.asyncio as aioredis

        client = aioredis.from_url(REDIS_URL)
        await client.flushdb()
        await client.aclose()
    await db.start()
    await migrate(Settings.from_env(), quiet=True)
    yield
    await db.stop()


@pytest.fixture(scope="session")
async def app(migrated):
    from fairs.app import create_app

    application = create_app(Settings.from_env())
    ready = asyncio.Event()
    done = asyncio.Event()

    async def hold() -> None:
        async with application.lifespan():
            ready.set()
            await done.wait()

    task = asyncio.create_task(hold())
    await ready.wait()
    yield application
    done.set()
    await task


@pytest.fixture(autouse=True)
async def _clean(request) -> AsyncIterator[None]:
    if "migrated" in request.fixturenames or "app" in request.fixturenames:
        await clean_database()
    yield


@pytest.fixture
async def world(migrated) -> dict[str, int]:
    """The demo's organisations, staff, venues and channels (no fairs)."""
    from tests import factories

    return await factories.world()


class Client(httpx.AsyncClient):
    """An httpx client for the in-process app that knows how to log in."""

    async def login(self, username: str, password: str | None = None) -> Client:
        password = password or DEMO_PASSWORDS[username]
        response = await self.post("/api/v1/auth/login",
                                   json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        # A page visit hands out the CSRF cookie; cookie-authenticated writes echo it.
        await self.get("/api/v1/health")
        token = self.cookies.get("fairs_csrf")
        if token:
            self.headers["x-csrf-token"] = token
        return self


def make_client(app) -> Client:
    return Client(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def client(app) -> AsyncIterator[Client]:
    async with make_client(app) as c:
        yield c


@pytest.fixture
async def new_client(app):
    """Make more clients (one per user) in a test; closed at the end."""
    made: list[Client] = []

    def factory() -> Client:
        c = make_client(app)
        made.append(c)
        return c

    yield factory
    for c in made:
        await c.aclose()


async def login_as(factory, username: str) -> Client:
    return await factory().login(username)


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a skip there means a service or a tool is missing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        if reporter:
            reporter.write_line(f"CI: {skipped} test(s) skipped; failing the run", red=True)
        session.exitstatus = 1
