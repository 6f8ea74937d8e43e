"""The audit log per organisation (issue 15): each entry keeps the path of the organisation it
is about (a fair's organiser; otherwise the acting person's organisation), so an organiser sees
the entries of their own subtree. Existing rows are filled where it can be derived: a fair's
entries from the fair's organisation, the others (and deleted fairs) from the actor's. Rows
neither gives (actions without an organisation, e.g. the city-wide booking rules) keep '' and
only admins see them. The column by Piccolo's own ADD COLUMN (so the app's history describes it); the
filling in the next migration (a raw step runs before a migration's own column changes).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit entry organisation path"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)
    manager.add_column(
        table_class_name="AuditEntry", tablename="audit_entry", column_name="org_path",
        db_column_name="org_path", column_class_name="Varchar", column_class=Varchar,
        params={"length": 255, "default": "", "null": False, "primary_key": False,
                "unique": False, "index": True, "index_method": IndexMethod.btree,
                "choices": None, "db_column_name": None, "secret": False},
        schema=None)
    return manager
