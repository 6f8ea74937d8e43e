"""Indexes: employers listed by status and time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "employer indexes"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS employer_status_time ON employer (status, created_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="employers", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
