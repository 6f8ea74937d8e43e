"""The outreach tables' indexes: one officer assignment per (employer, officer); services by
employer and day (an employer's history, last contact, open follow-ups), by organisation and
day (the ledger, the measures' services in a subtree) and by who recorded them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T00:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS employer_officer_once ON employer_officer "
    "(employer, officer)",
    "CREATE INDEX IF NOT EXISTS employer_officer_officer ON employer_officer (officer)",
    "CREATE INDEX IF NOT EXISTS employer_service_employer_day ON employer_service "
    "(employer, served_on)",
    "CREATE INDEX IF NOT EXISTS employer_service_org_day ON employer_service (org, served_on)",
    "CREATE INDEX IF NOT EXISTS employer_service_recorded_by ON employer_service (recorded_by)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="outreach", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
