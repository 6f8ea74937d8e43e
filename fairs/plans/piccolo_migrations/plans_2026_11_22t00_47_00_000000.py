"""Indexes: one minimum per (plan, dimension, code); a plan's fairs; plans by organisation."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "plan indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS plan_theme_once ON plan_theme (plan, dimension, code)",
    "CREATE INDEX IF NOT EXISTS plan_org_dates ON plan (org, starts_on)",
    "CREATE INDEX IF NOT EXISTS fair_plan ON fair (plan_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="plans", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
