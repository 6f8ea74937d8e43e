"""A venue's default booth layout (issue 15, item 7): rows × booths per row, 0 × 0 for none.

A new offline fair at the venue gets this layout in its creation transaction (fairs.booths'
receiver of the `fair_created` hook); a venue left at 0 × 0 gives a new fair the layout its
latest fair there had. Raw SQL that SQLite and PostgreSQL both run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "venue default layout"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalog", description=DESCRIPTION)

    async def run():
        from fairs import db

        await db.execute("ALTER TABLE venue ADD COLUMN booth_rows INTEGER NOT NULL DEFAULT 0")
        await db.execute("ALTER TABLE venue ADD COLUMN booths_per_row INTEGER NOT NULL DEFAULT 0")

    manager.add_raw(run)
    return manager
