"""The indexes that settle booking races, and the ones lists and counts need.

- one active (confirmed) booking per booth;
- one active (confirmed or waitlisted) booking per employer per fair;
- one confirmed booking per guest slot, and one per employer per online session;
- one no-show record per booking.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-22T00:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking race indexes"

STATEMENTS = [
    "CREATE UNIQUE INDEX IF NOT EXISTS booth_code_once ON booth (fair, code)",
    "CREATE UNIQUE INDEX IF NOT EXISTS booking_booth_active ON booking (booth) "
    "WHERE status = 'confirmed'",
    "CREATE UNIQUE INDEX IF NOT EXISTS booking_employer_active ON booking (fair, employer) "
    "WHERE status IN ('confirmed', 'waitlisted')",
    "CREATE INDEX IF NOT EXISTS booking_fair_status ON booking (fair, status, id)",
    "CREATE INDEX IF NOT EXISTS booking_employer ON booking (employer, status)",
    "CREATE INDEX IF NOT EXISTS guest_slot_fair_time ON guest_slot (fair, starts_at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS slot_booking_slot_active ON slot_booking (slot) "
    "WHERE status = 'confirmed'",
    "CREATE UNIQUE INDEX IF NOT EXISTS slot_booking_employer_active "
    "ON slot_booking (fair, employer) WHERE status = 'confirmed'",
    "CREATE INDEX IF NOT EXISTS slot_booking_employer ON slot_booking (employer, status)",
    "CREATE INDEX IF NOT EXISTS job_position_fair ON job_position (fair)",
    "CREATE INDEX IF NOT EXISTS job_position_booking ON job_position (booking)",
    "CREATE UNIQUE INDEX IF NOT EXISTS no_show_booking_once ON no_show (booking) "
    "WHERE booking IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS no_show_employer_time ON no_show (employer, occurred_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booths", description=DESCRIPTION)

    async def run():
        from fairs.db import execute

        for statement in STATEMENTS:
            await execute(statement)

    manager.add_raw(run)
    return manager
