"""The workers' claim reads pending messages in (due_at, id) order: the index carries both, so
that a claim reads its LIMIT rows off the index instead of sorting every pending message due
at the same moment (a fair's 10,000 reminders are)."""

from fairs.db.migrations import raw

ID = "2026-12-06T04:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox claim index (due_at, id)"

forwards = raw(ID, "notify", DESCRIPTION, [
    "CREATE INDEX IF NOT EXISTS outbox_due_id ON outbox_message (due_at, id) "
    "WHERE status = 'pending'",
    "DROP INDEX IF EXISTS outbox_due",
])
