"""The scan log keeps result codes, not text (issue 14): a column `detail` for the data an
answer is rendered from again on a retry (JSON), and the stored answer text dropped.

Existing rows' `answer` text is dropped, not converted: its explanation was rendered in the
first request's language, and the window a not_open answer named, or whether an unknown code
looked mistyped, is only in that text. A retry of a scan logged before this migration is still
answered with its first result code, holder and admission time; a not_open one then says "Check-in
is not open." without the times. Piccolo's own ADD/DROP COLUMN (SQLite 3.35+ and PostgreSQL), so the app's history
describes the table.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scan detail, not answer text"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Scan", tablename="scan", column_name="detail",
        db_column_name="detail", column_class_name="Text", column_class=Text,
        params={"default": None, "null": True, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    manager.drop_column(table_class_name="Scan", tablename="scan", column_name="answer",
                        db_column_name="answer", schema=None)
    return manager
