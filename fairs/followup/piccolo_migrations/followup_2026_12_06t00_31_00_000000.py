"""The follow-up tasks' indexes (one task per intention and step; the call list by fair and
due date; the hires the measures count) and their backfill: every intention recorded before
this migration gets its three tasks, due 7, 30 and 90 days after it was recorded
(fairs.followup.tasks.backfill: idempotent; the demo runs it too for the intentions it writes
directly)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T00:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "follow-up indexes and backfill"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS followup_task_once ON followup_task (intention, step)",
    "CREATE INDEX IF NOT EXISTS followup_task_fair_due ON followup_task (fair, due_on)",
    "CREATE INDEX IF NOT EXISTS followup_task_due ON followup_task (due_on) "
    "WHERE status = 'open'",
    "CREATE INDEX IF NOT EXISTS followup_task_hired ON followup_task (fair) "
    "WHERE outcome = 'hired'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="followup", description=DESCRIPTION)

    async def run():
        from fairs.db import execute
        from fairs.followup.tasks import backfill

        for statement in STATEMENTS:
            await execute(statement)
        await backfill()

    manager.add_raw(run)
    return manager
