"""The holder's secret (issue 13, API.md revision 2): a column for its SHA-256, unique, and a
fresh secret for every existing registration.

The secrets made here are not kept anywhere (only their hashes): holders of registrations made
before this migration can no longer open their old ticket address (a door code no longer opens
a ticket page), but their door codes still admit. Raw SQL that SQLite and PostgreSQL both run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration secret"

CHUNK = 500


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tickets", description=DESCRIPTION)

    async def run():
        from fairs import db
        from fairs.tickets import codes

        await db.execute("ALTER TABLE registration ADD COLUMN secret_hash VARCHAR(64)")
        while True:
            rows = await db.fetch(
                "SELECT id FROM registration WHERE secret_hash IS NULL ORDER BY id LIMIT {}",
                CHUNK)
            if not rows:
                break
            ids = [r["id"] for r in rows]
            cases = " ".join("WHEN {} THEN {}" for _ in ids)
            args: list = []
            for i in ids:
                args += [i, codes.secret_hash(codes.new_secret())]
            marks = ", ".join("{}" for _ in ids)
            await db.execute(
                f"UPDATE registration SET secret_hash = CASE id {cases} END WHERE id IN ({marks})",
                *args, *ids)
        await db.execute("CREATE UNIQUE INDEX IF NOT EXISTS registration_secret_once "
                         "ON registration (secret_hash)")

    manager.add_raw(run)
    return manager
