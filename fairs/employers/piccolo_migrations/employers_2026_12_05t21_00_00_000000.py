"""A position's pay unit (issue 15): `job_position.pay_unit`, month | day | hour, "month" for
every existing row (salaries so far were monthly). Piccolo's own ALTER TABLE ... ADD COLUMN,
which SQLite and PostgreSQL both run."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "position pay unit"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="employers", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Position",
        tablename="job_position",
        column_name="pay_unit",
        db_column_name="pay_unit",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 8,
            "default": "month",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
