"""A position's pay unit (issue 15): `job_position.pay_unit`, month | day | hour, "month" for
every existing row (salaries so far were monthly).

Bookkeeping only (TablesMoved: recorded, never run), as this app's migration
2026-12-05T00:00:00 prescribes for a change to the tables it took over: on an empty database
every employers migration runs before booths' makes job_position, so the column is added by the
booths app's migration 2026-12-05T21:00:00 (raw SQL, after the table exists), and this one keeps
this app's history describing its table (tests/test_db.py)."""

from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

from fairs.db.moves import TablesMoved

ID = "2026-12-05T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "position pay unit"


async def forwards():
    manager = TablesMoved(migration_id=ID, app_name="employers", description=DESCRIPTION)

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
