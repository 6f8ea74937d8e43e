"""Indexes: a code is unique; one active registration per phone per fair; one tally per fair."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS registration_code_once ON registration (code)",
    "CREATE UNIQUE INDEX IF NOT EXISTS registration_phone_once ON registration (fair, phone) "
    "WHERE status = 'active'",
    "CREATE INDEX IF NOT EXISTS registration_fair_status ON registration (fair, status)",
    "CREATE INDEX IF NOT EXISTS registration_fair_last4 ON registration (fair, phone_last4)",
    "CREATE UNIQUE INDEX IF NOT EXISTS registration_tally_once ON registration_tally (fair)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
