"""Attendees' interest in positions: once per (ticket, position), decided by a unique index;
the employer's per-fair list and the ticket's list read by index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T01:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "position interest indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS position_interest_once "
    "ON position_interest (registration, position)",
    "CREATE INDEX IF NOT EXISTS position_interest_employer_fair "
    "ON position_interest (employer, fair, created_at)",
    "CREATE INDEX IF NOT EXISTS position_interest_position ON position_interest (position)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booths", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
