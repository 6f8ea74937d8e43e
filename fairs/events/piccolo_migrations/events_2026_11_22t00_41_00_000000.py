"""Indexes: one row per (fair, theme); overlap checks by venue/channel; counts by org and time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "fair indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS fair_industry_once ON fair_industry (fair, industry)",
    "CREATE UNIQUE INDEX IF NOT EXISTS fair_audience_once ON fair_audience (fair, audience)",
    "CREATE INDEX IF NOT EXISTS fair_venue_time ON fair (venue, starts_at)",
    "CREATE INDEX IF NOT EXISTS fair_channel_time ON fair (channel, starts_at)",
    "CREATE INDEX IF NOT EXISTS fair_org_status_time ON fair (org, status, starts_at)",
    "CREATE INDEX IF NOT EXISTS fair_status_time ON fair (status, starts_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="events", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
