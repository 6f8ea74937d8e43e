"""Fill the audit log's organisation paths of the entries made before the column existed (see
the previous migration): a fair's entries from the fair's organisation, the others (and deleted
fairs) from the actor's; entries neither gives keep '' (admins only). Raw SQL that SQLite and
PostgreSQL both run."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit entry organisation path filled"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def run():
        from fairs import db

        # A fair's entries exist only where the fair table does (the events app made them).
        if await db.fetch("SELECT 1 FROM audit_entry WHERE object_type = 'fair' LIMIT 1"):
            await db.execute(
                "UPDATE audit_entry SET org_path = COALESCE((SELECT o.path FROM fair f "
                "JOIN organisation o ON o.id = f.org "
                "WHERE CAST(f.id AS VARCHAR(64)) = audit_entry.object_id), '') "
                "WHERE object_type = 'fair'")
        await db.execute(
            "UPDATE audit_entry SET org_path = COALESCE((SELECT o.path FROM app_user u "
            "JOIN organisation o ON o.id = u.org WHERE u.id = audit_entry.actor_id), '') "
            "WHERE org_path = '' AND actor_id IS NOT NULL")

    manager.add_raw(run)
    return manager
