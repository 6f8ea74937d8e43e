"""A position's pay unit (issue 15): the column `job_position.pay_unit` (month | day | hour,
"month" for every existing row). The table is the employers app's now, but on an empty database
it is made by this app's first migration, after every employers migration has run: so the DDL
is here (the employers app's migration 2026-12-05T21:00:00 records the column in its history).
Plain ALTER TABLE ... ADD COLUMN with a default, which SQLite and PostgreSQL both run."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "position pay unit"

STATEMENTS = [
    "ALTER TABLE job_position ADD COLUMN pay_unit VARCHAR(8) NOT NULL DEFAULT 'month'",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booths", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
