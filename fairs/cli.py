"""The `fairs` command: run, migrate, demo, create-user."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import sys
from collections.abc import AsyncIterator

import click

from fairs.settings import Settings, configure, current_settings, settings


def _settings() -> Settings:
    return settings()  # the process's one Settings, read once


@contextlib.asynccontextmanager
async def _database() -> AsyncIterator[None]:
    from fairs import db
    from fairs.slices import connect_hooks

    connect_hooks()  # commands run services without building the app
    engine = db.current_engine()
    await db.start(engine)
    try:
        yield
    finally:
        await db.stop(engine)


@contextlib.asynccontextmanager
async def migration_lock(settings: Settings) -> AsyncIterator[None]:
    """Only one process migrates at a time: several workers or machines may call `fairs migrate`."""
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        from fairs.db import sqlite_path

        path = sqlite_path(settings.database_url) + ".migrate-lock"
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as fh:
            await asyncio.to_thread(fcntl.flock, fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    else:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            await conn.execute("SELECT pg_advisory_lock(727274)")
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock(727274)")
        finally:
            await conn.close()


async def migrate(settings: Settings | None = None, quiet: bool = False) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    settings = settings or _settings()
    async with migration_lock(settings):
        if quiet:
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
                result = await run_forwards(app_name="all")
        else:
            result = await run_forwards(app_name="all")
    if not result.success:
        raise click.ClickException(f"migration failed: {result.message}")


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """fairs: plan, run and count recruitment fairs."""
    # A command starts the process: its Settings are read here, once, and are what the app
    # and the services see (restored when the command ends, for callers in the same process).
    saved = current_settings()
    configure(Settings.from_env())
    ctx.call_on_close(lambda: configure(saved))


@main.command("migrate")
def migrate_cmd() -> None:
    """Bring the database up to date (run once before serving)."""

    async def go() -> None:
        async with _database():
            await migrate()

    asyncio.run(go())
    click.echo("database is up to date")


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only when the database has no users yet.")
def demo_cmd(if_empty: bool) -> None:
    """Load the demo data set (idempotent) and print its logins."""
    from fairs import demo

    settings = _settings()
    if settings.production:
        raise click.ClickException("refusing to load demo data with FAIRS_ENV=production")

    async def go() -> list[tuple[str, str, str]] | None:
        async with _database():
            if if_empty and not await demo.database_is_empty():
                return None
            return await demo.load()

    logins = asyncio.run(go())
    if logins is None:
        click.echo("database already has data; demo not loaded")
        return
    click.echo("Demo logins (username / password / role):")
    for username, password, role in logins:
        click.echo(f"  {username:<12} {password:<22} {role}")


@main.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "organiser", "scanner"]), required=True)
@click.option("--org", "org_code", default=None, help="Organisation code (default: the top one).")
@click.option("--password", default=None, help="Otherwise read from standard input.")
def create_user_cmd(username: str, role: str, org_code: str | None, password: str | None) -> None:
    """Create a staff user; the password comes from standard input unless --password is given."""
    from fairs.accounts import services
    from fairs.errors import FairsError

    if password is None:
        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")

    async def go() -> dict:
        async with _database():
            return await services.create_user(username, password, role, org_code)

    try:
        user = asyncio.run(go())
    except FairsError as exc:
        fields = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
        raise click.ClickException(fields or exc.detail) from exc
    click.echo(f"created user {user['username']} ({user['role']}), id {user['id']}")


def _sqlite_copy(source_path: str, target_path: str) -> None:
    """SQLite's online backup API: a consistent page-by-page copy, readers and writers of the
    source carry on meanwhile."""
    import sqlite3

    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _pg_dsn_args(url: str) -> list[str]:
    return ["--dbname", url]


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_cmd(path: str) -> None:
    """Write a consistent copy of the database to PATH while the service runs.

    SQLite: the online backup API (a page-by-page copy that readers and writers do not block).
    PostgreSQL: pg_dump in its custom format.
    """
    import subprocess

    from fairs.db import sqlite_path

    settings = _settings()
    if settings.is_sqlite:
        _sqlite_copy(sqlite_path(settings.database_url), path)
    else:
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", path,
                               *_pg_dsn_args(settings.database_url)], capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")
    click.echo(f"backup written to {path}")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database's contents.")
def restore_cmd(path: str, yes: bool) -> None:
    """Replace the database's contents with the backup at PATH (stop the service first)."""
    import subprocess

    from fairs.db import sqlite_path

    settings = _settings()
    if not yes and not click.confirm("This replaces every row in the database. Continue?"):
        raise click.Abort()
    if settings.is_sqlite:
        target_path = sqlite_path(settings.database_url)
        os.makedirs(os.path.dirname(os.path.abspath(target_path)), exist_ok=True)
        _sqlite_copy(path, target_path)
    else:
        done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                               "--single-transaction", *_pg_dsn_args(settings.database_url),
                               path], capture_output=True, text=True)
        if done.returncode != 0:
            raise click.ClickException(f"pg_restore failed: {done.stderr.strip()}")
    click.echo(f"restored from {path}")


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--wc", "workers", default=1, show_default=True, type=int,
              help="Worker processes (several need PostgreSQL, and Redis for shared state).")
@click.option("--reload", is_flag=True)
def run_cmd(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve with uvicorn. Run `fairs migrate` first."""
    import uvicorn

    from fairs.logs import uvicorn_log_config

    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        click.echo("note: SQLite is served best by one worker; several need PostgreSQL.",
                   err=True)
    if workers > 1 and not settings.redis_url:
        click.echo("warning: several workers without FAIRS_REDIS_URL do not share sessions "
                   "or live events.", err=True)
    uvicorn.run(
        "fairs.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level=settings.log_level.lower(),
        log_config=uvicorn_log_config(),
        proxy_headers=True,
        # X-Forwarded-For/-Proto are believed from these proxies only (FAIRS_FORWARDED_ALLOW_IPS)
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":  # pragma: no cover
    main()
