"""Indexes: one profile per registration (the upsert's conflict target); a fair's profiles
(the employers' counts)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seeker profile indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS seeker_profile_once ON seeker_profile (registration)",
    "CREATE INDEX IF NOT EXISTS seeker_profile_fair ON seeker_profile (fair)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="matching", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
