"""An index for the funnel by the job seekers' target groups (fairs.measures.funnel_by_audience):
registrations of the held fairs counted by their declared groups, read from the index alone
(fair, status, audiences) instead of every registration row (150 ms -> 30 ms for a city's
year of 110,000 registrations on SQLite, bench/bench_reports.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-06T00:32:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registrations by fair, status and target groups"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        await execute("CREATE INDEX IF NOT EXISTS registration_fair_status_audiences "
                      "ON registration (fair, status, audiences)")

    manager.add_raw(run)
    return manager
