"""The outbox's indexes: one message per cause (`key`), one idempotency key (`uid`), and the
workers' claim (pending messages by when they are due)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS outbox_key_once ON outbox_message (key)",
    "CREATE UNIQUE INDEX IF NOT EXISTS outbox_uid_once ON outbox_message (uid)",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox_message (due_at) "
    "WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS outbox_status_channel ON outbox_message (status, channel)",
    "CREATE INDEX IF NOT EXISTS outbox_fair ON outbox_message (fair)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notify", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
