"""The audience tally's unique index (one row per fair, target-group combination and shard),
and its backfill: every fair's admissions, walk-ins and intentions recounted from the raw rows
(fairs.measures.recount_audiences), so the reports by audience read the same numbers as before."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T22:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audience tally index and backfill"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        from fairs.db import execute
        from fairs.measures import recount_audiences

        await execute("CREATE UNIQUE INDEX IF NOT EXISTS audience_tally_once "
                      "ON audience_tally (fair, audiences, shard)")
        await recount_audiences()

    manager.add_raw(run)
    return manager
