"""The demand slice's indexes: one staff report per employer and month (the upsert's conflict
target), an employer's needs, an organisation's review queue; and three over the published
needs only: by last day with the catalogue's filters (its count is read from the index alone),
by when they were published (the catalogue's order), and by when they were published with what
the wage levels rank (read from the index alone)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T00:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "demand indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS staff_report_once ON staff_report (employer, month)",
    "CREATE INDEX IF NOT EXISTS need_employer ON need (employer, status)",
    "CREATE INDEX IF NOT EXISTS need_org_status ON need (org, status)",
    "CREATE INDEX IF NOT EXISTS need_listed ON need (valid_until, industry, org, education, "
    "job_type, skilled) WHERE status = 'published'",
    "CREATE INDEX IF NOT EXISTS need_published ON need (published_at, id) "
    "WHERE status = 'published'",
    # status too, though the index holds published needs only: SQLite reads a partial index
    # alone only when it holds every column the statement names.
    "CREATE INDEX IF NOT EXISTS need_wages ON need (published_at, industry, education, "
    "monthly_pay, status, title) WHERE status = 'published'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="demand", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
