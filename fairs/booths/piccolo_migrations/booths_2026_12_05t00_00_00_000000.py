"""Positions, the no-show ledger and the booking rules move to the employers app (the tables
job_position, no_show and booking_rules, which this app's migrations 2026-11-22T00:45:12 and
2026-11-22T00:50:00 made and indexed). Bookkeeping only: the database is not touched; employers'
migration 2026-12-05T00:00:00 adds them to that app's history."""

from fairs.db.moves import TablesMoved

ID = "2026-12-05T00:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "positions and the no-show ledger move to employers"


async def forwards():
    manager = TablesMoved(migration_id=ID, app_name="booths", description=DESCRIPTION)

    manager.drop_table(class_name="BookingRules", tablename="booking_rules", schema=None)

    manager.drop_table(class_name="Position", tablename="job_position", schema=None)

    manager.drop_table(class_name="NoShow", tablename="no_show", schema=None)

    return manager
