"""Indexes: an intention counts once per (ticket, position); measures read by fair."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:58:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "intention indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS intention_once ON intention (registration, position)",
    "CREATE INDEX IF NOT EXISTS intention_fair ON intention (fair, employer)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
