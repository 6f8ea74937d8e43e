from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.employers.tables import Employer, Position
from fairs.events.tables import Fair
from fairs.tickets.tables import Registration


class Intention(Table, tablename="intention"):
    """A preliminary hiring intention (达成初步就业意向): an employer at a fair records that a job
    seeker (their ticket) and one of its positions matched. One row per (ticket, position): a
    unique index (raw-SQL migration) makes a repeated scan harmless."""

    fair = ForeignKey(Fair, null=False)
    registration = ForeignKey(Registration, null=False)
    position = ForeignKey(Position, null=False)
    employer = ForeignKey(Employer, null=False)
    recorded_by = Integer(null=True, default=None)  # the employer's staff user
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class AudienceTally(Table, tablename="audience_tally"):
    """The person measures per fair and declared target-group combination (a registration's
    `audiences` as written, "" for none), kept in the transaction of each admission (the door,
    fairs.checkin.admit) and of each intention (fairs.reports.services), so that a report by
    audience reads a few rows per fair instead of joining every admission to its ticket. Split
    into shards like the admission tally (summed when read). `fairs.measures.recount_audiences`
    rebuilds it from the raw rows (the migration's backfill, bulk loads)."""

    fair = ForeignKey(Fair, null=False)
    audiences = Varchar(length=500, default="", null=False)
    shard = Integer(default=0, null=False)
    admissions = Integer(default=0, null=False)
    walk_ins = Integer(default=0, null=False)
    intentions = Integer(default=0, null=False)
