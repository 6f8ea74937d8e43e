"""Indexes: an admission counts once per registration; a nonce once per fair; counts by fair."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "check-in indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS admission_once ON admission (registration)",
    "CREATE INDEX IF NOT EXISTS admission_fair_method ON admission (fair, method)",
    "CREATE UNIQUE INDEX IF NOT EXISTS scan_nonce_once ON scan (fair, nonce)",
    "CREATE INDEX IF NOT EXISTS scan_fair_time ON scan (fair, scanned_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS checkin_window_once ON checkin_window (fair)",
    "CREATE INDEX IF NOT EXISTS online_session_fair ON online_session (fair)",
    "CREATE UNIQUE INDEX IF NOT EXISTS admission_tally_once ON admission_tally (fair, shard)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
