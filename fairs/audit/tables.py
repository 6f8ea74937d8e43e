from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Who did what, when, with the state before and after (organiser and employer actions)."""

    at = Timestamptz(default=TimestamptzNow(), null=False, index=True)
    actor_id = Integer(null=True, default=None)
    actor = Varchar(length=150, default="", null=False)
    role = Varchar(length=16, default="", null=False)
    action = Varchar(length=64, null=False, index=True)
    object_type = Varchar(length=32, null=False)
    object_id = Varchar(length=64, default="", null=False)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    # The organisation the entry is about (a fair's organiser, else the actor's): an organiser
    # sees the entries under their own path; '' (nothing to tie it to) only admins see.
    org_path = Varchar(length=255, default="", null=False, index=True)
