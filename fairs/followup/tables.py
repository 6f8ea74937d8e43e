from piccolo.columns import Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.events.tables import Fair
from fairs.reports.tables import Intention

STATUSES = ("open", "done", "closed")
OUTCOMES = ("hired", "in_process", "declined", "unreachable")


class FollowupTask(Table, tablename="followup_task"):
    """A follow-up call (跟踪回访) of one hiring intention: step 1, 2 and 3 are due 7, 30 and 90
    days (China-time dates) after the intention was recorded. One row per (intention, step): a
    unique index (raw-SQL migration) makes a repeated intention, a replayed hook or a second
    backfill harmless.

    `status` "open" (to be called), "done" (an outcome recorded), "closed" (not to be called:
    a final outcome, hired or declined, came at an earlier step, or a later step was recorded
    first). `fair` is the intention's, kept here to scope and filter the call list by the
    fair's organisation. `started_on` is a hire's start date; `done_by` the login that
    recorded the outcome (an organiser, or the employer confirming a hire)."""

    intention = ForeignKey(Intention, null=False)
    fair = ForeignKey(Fair, null=False)
    step = Integer(null=False)
    due_on = Date(null=False, default=None)
    status = Varchar(length=16, default="open", null=False)
    outcome = Varchar(length=16, null=True, default=None)
    started_on = Date(null=True, default=None)
    notes = Varchar(length=2000, null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    done_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
