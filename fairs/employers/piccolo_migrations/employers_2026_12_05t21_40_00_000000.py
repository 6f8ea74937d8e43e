"""Employers' optional e-mail address (issue 17: notices by e-mail as well as SMS)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "employer email"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="employers", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Employer", tablename="employer", column_name="email",
        db_column_name="email", column_class_name="Varchar", column_class=Varchar,
        params={"length": 320, "default": "", "null": False, "primary_key": False,
                "unique": False, "index": False, "index_method": IndexMethod.btree,
                "choices": None, "db_column_name": None, "secret": False},
        schema=None)
    return manager
