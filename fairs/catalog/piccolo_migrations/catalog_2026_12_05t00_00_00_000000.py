"""A venue's default booth layout (issue 15, item 7): rows × booths per row, 0 × 0 for none.

A new offline fair at the venue gets this layout in its creation transaction (fairs.booths'
receiver of the `fair_created` hook); a venue left at 0 × 0 gives a new fair the layout its
latest fair there had. Piccolo's own ALTER TABLE ... ADD COLUMN (so the app's history describes the columns).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "venue default layout"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)
    for column in ("booth_rows", "booths_per_row"):
        manager.add_column(
            table_class_name="Venue", tablename="venue", column_name=column,
            db_column_name=column, column_class_name="Integer", column_class=Integer,
            params={"default": 0, "null": False, "primary_key": False, "unique": False,
                    "index": False, "index_method": IndexMethod.btree, "choices": None,
                    "db_column_name": None, "secret": False},
            schema=None)
    return manager
