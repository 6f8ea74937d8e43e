"""At most one live feed token per employer (a partial unique index: the database decides
races); an index on fair.updated_at for the feeds' cheap change marker."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:46:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS calendar_feed_token_live ON calendar_feed_token "
    "(employer_id) WHERE revoked_at IS NULL",
    # The feeds' change marker is MAX(fair.updated_at): one index probe instead of a scan.
    "CREATE INDEX IF NOT EXISTS calendar_fair_updated_at ON fair (updated_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="calendar", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
