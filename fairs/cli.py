"""The `fairs` command: migrate, init, run, demo, create-user, purge, backup, restore."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

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


def migration_lock(settings: Settings) -> contextlib.AbstractAsyncContextManager[bool]:
    """Only one process migrates at a time: several workers or machines may call `fairs migrate`."""
    from fairs import db

    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return db.process_lock(settings.database_url, "migrate")


@dataclass(frozen=True)
class AppMigrations:
    """What `fairs migrate` did for one app: migrations applied now, applied in all, known."""

    app: str
    applied_now: int
    applied: int
    known: int


async def migrate(settings: Settings | None = None, quiet: bool = True) -> list[AppMigrations]:
    """Apply every migration not yet applied, app by app, under the migration lock; answer
    what was done per app (`fairs migrate` prints it; Piccolo's own report, with its emoji and
    a count of migrations "already complete" that is in fact all of them, is not shown)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.apps.migrations.tables import Migration

    settings = settings or _settings()
    async with migration_lock(settings):
        manager = BaseMigrationManager()
        await manager.create_migration_table()
        apps = manager.get_sorted_app_names()

        async def applied() -> dict[str, set[str]]:
            return {app: set(await Migration.get_migrations_which_ran(app_name=app))
                    for app in apps}

        before = await applied()
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            result = await run_forwards(app_name="all")
        after = await applied()
    if not result.success:
        raise click.ClickException(f"migration failed: {result.message}")
    summary = []
    for app in apps:
        folder = manager.get_app_config(app).resolved_migrations_folder_path
        known = manager.get_migration_ids(manager.get_migration_modules(folder))
        summary.append(AppMigrations(app, len(after[app] - before[app]), len(after[app]),
                                     len(known)))
    return summary


def migration_report(summary: list[AppMigrations]) -> list[str]:
    """Plain lines: one per app, then the total."""
    width = max((len(s.app) for s in summary), default=0)
    lines = []
    for s in summary:
        if s.applied_now:
            state = f"applied {s.applied_now} migration{'s' if s.applied_now != 1 else ''}"
        else:
            state = "up to date"
        lines.append(f"{s.app:<{width}}  {state} ({s.applied} of {s.known} applied)")
    now = sum(s.applied_now for s in summary)
    total = sum(s.applied for s in summary)
    if now:
        lines.append(f"applied {now} migration{'s' if now != 1 else ''}; the database is up to "
                     f"date ({total} in all)")
    else:
        lines.append(f"nothing to apply; the database is up to date ({total} in all)")
    return lines


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

    async def go() -> list[AppMigrations]:
        async with _database():
            return await migrate()

    for line in migration_report(asyncio.run(go())):
        click.echo(line)


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


def _password(given: str | None) -> str:
    """A password from --password, else a prompt on a terminal, else standard input's line."""
    if given is not None:
        return given
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _fail(exc) -> click.ClickException:
    """A service's error as the operator reads it: in English, as everything this command says
    (its help, its reports and Click's own errors), with the stable code a script can match."""
    fields = "; ".join(f"{e.field}: {e.text('en')}" for e in exc.errors)
    return click.ClickException(f"{fields or exc.text('en')} [{exc.code}]")


@main.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "organiser", "scanner"]), required=True)
@click.option("--org", "org_code", default=None, help="Organisation code (default: the top one).")
@click.option("--password", default=None, help="Otherwise read from standard input.")
def create_user_cmd(username: str, role: str, org_code: str | None, password: str | None) -> None:
    """Create a staff user; the password comes from standard input unless --password is given."""
    from fairs.accounts import services
    from fairs.errors import FairsError

    password = _password(password)

    async def go() -> dict:
        async with _database():
            return await services.create_user(username, password, role, org_code)

    try:
        user = asyncio.run(go())
    except FairsError as exc:
        raise _fail(exc) from exc
    click.echo(f"created user {user['username']} ({user['role']}), id {user['id']}")


@main.command("init")
@click.option("--org", "org_code", required=True,
              help="The top organisation's code: 1-32 letters, digits or '-' (e.g. qd).")
@click.option("--name", "name_zh", required=True, help="Its name, in Chinese (e.g. 青岛市).")
@click.option("--name-en", default="", help="Its name in English.")
@click.option("--admin", "admin", required=True, help="The first admin's username.")
@click.option("--password", default=None,
              help="The admin's password; otherwise read from standard input.")
def init_cmd(org_code: str, name_zh: str, name_en: str, admin: str,
             password: str | None) -> None:
    """Set up an empty database: the top organisation and its first admin.

    Run again with the same arguments it changes nothing and exits 0; on a database whose top
    organisation has another code it exits 1 and changes nothing. The password is asked for
    (or read from standard input) only when the admin login has to be made.
    """
    from fairs.accounts import orgs
    from fairs.errors import FairsError

    settings = _settings()

    async def go() -> orgs.InitResult:
        async with _database(), migration_lock(settings):
            secret = password
            if secret is None and await orgs.init_needs_admin(admin):
                secret = _password(None)
            return await orgs.init(org_code, name_zh, name_en, admin, secret)

    try:
        done = asyncio.run(go())
    except FairsError as exc:
        raise _fail(exc) from exc
    org = done.org
    if done.created_org:
        click.echo(f"created the top organisation {org['code']} ({org['name_zh']}) and the "
                   f"admin login {done.admin}")
    elif done.created_admin:
        click.echo(f"the top organisation {org['code']} exists; created the admin login "
                   f"{done.admin}")
    else:
        click.echo(f"already set up: organisation {org['code']}, admin {done.admin}; "
                   "nothing changed")
    if done.names_differ:
        click.echo(f"note: {org['code']} is named {org['name_zh']!r} / {org['name_en']!r} "
                   "here (kept; rename it on /organiser/orgs)")


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
def purge_cmd(dry_run: bool) -> None:
    """Erase job seekers' names, phone numbers and ticket secrets from the registrations of
    fairs that ended more than FAIRS_RETENTION_DAYS ago. The anonymous counts the reports need
    (admissions, target groups, intentions) stay. Safe to run at any time, and again."""
    from fairs.tickets import retention

    settings = _settings()

    async def go() -> retention.Purged:
        async with _database():
            return await retention.purge(settings.retention_days, dry_run=dry_run)

    done = asyncio.run(go())
    verb = "would erase" if dry_run else "erased"
    click.echo(f"{verb} the personal data of {done.registrations} registration"
               f"{'s' if done.registrations != 1 else ''} of {done.fairs} "
               f"fair{'s' if done.fairs != 1 else ''} that ended before "
               f"{done.cutoff.date().isoformat()} (retention: {settings.retention_days} days)")
    for what, count in sorted(done.others.items()):
        click.echo(f"{verb} {count} {what}")


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


@main.command("deliver")
@click.option("--nice", "niceness", default=10, show_default=True, type=click.IntRange(0, 19),
              help="How much lower this process's CPU priority is than the web workers'.")
def deliver_cmd(niceness: int) -> None:
    """Deliver the outbox from a process of its own, until stopped (SIGTERM or Ctrl-C: the
    sends in flight finish and are recorded first, at most STOP_GRACE seconds; a second
    signal cuts them).

    For PostgreSQL deployments: start the web workers with FAIRS_NOTIFY_WORKER=off and one or
    more of these beside them (they share the queue as the workers do). At a lower CPU priority
    the kernel serves the requests first and gives delivery what they leave; without it, each
    web worker delivers, spacing its sends while it answers requests."""
    import signal

    from fairs.notify.worker import Deliverer

    settings = _settings()
    if niceness:
        os.nice(niceness)

    async def deliver() -> None:
        async with _database():
            deliverer = Deliverer(settings)
            task = asyncio.create_task(deliverer.run(), name="fairs-deliver")
            stopped = asyncio.Event()

            def on_signal() -> None:  # the first: finish the round; a second: cut it
                if stopped.is_set():
                    task.cancel()
                stopped.set()

            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, on_signal)
            waiting = asyncio.create_task(stopped.wait())
            await asyncio.wait((task, waiting), return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await deliverer.finish(task)

    click.echo(f"delivering the outbox (nice {niceness}); SIGTERM to stop", err=True)
    asyncio.run(deliver())


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
