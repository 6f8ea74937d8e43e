"""The audit log per organisation (issue 15): each entry keeps the path of the organisation it
is about (a fair's organiser; otherwise the acting person's organisation), so an organiser sees
the entries of their own subtree. Existing rows are filled where it can be derived: a fair's
entries from the fair's organisation, the others (and deleted fairs) from the actor's. Rows
neither gives (actions without an organisation, e.g. the city-wide booking rules) keep '' and
only admins see them. Raw SQL that SQLite and PostgreSQL both run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit entry organisation path"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def run():
        from fairs import db

        await db.execute("ALTER TABLE audit_entry ADD COLUMN org_path VARCHAR(255) "
                         "NOT NULL DEFAULT ''")
        await db.execute("CREATE INDEX IF NOT EXISTS audit_entry_org_path "
                         "ON audit_entry (org_path)")
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
