"""The scan log keeps result codes, not text (issue 14): a column `detail` for the data an
answer is rendered from again on a retry (JSON), and the stored answer text dropped.

Existing rows' `answer` text is dropped, not converted: its explanation was rendered in the
first request's language, and the window a not_open answer named, or whether an unknown code
looked mistyped, is only in that text. A retry of a scan logged before this migration is still
answered with its first result code, holder and admission time; a not_open one then says "Check-in
is not open." without the times. Raw SQL that SQLite (3.35+) and PostgreSQL both run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scan detail, not answer text"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="checkin", description=DESCRIPTION)

    async def run():
        from fairs import db

        await db.execute("ALTER TABLE scan ADD COLUMN detail TEXT")
        await db.execute("ALTER TABLE scan DROP COLUMN answer")

    manager.add_raw(run)
    return manager
