from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.events.tables import Fair
from fairs.tickets.tables import Registration

METHODS = ("scan", "walk_in", "self")


class Admission(Table, tablename="admission"):
    """A job seeker let in: at most one per registration (a unique index says so)."""

    fair = ForeignKey(Fair, null=False)
    registration = ForeignKey(Registration, null=False)
    method = Varchar(length=16, default="scan", null=False)
    admitted_at = Timestamptz(null=False, default=TimestamptzNow())
    recorded_at = Timestamptz(null=False, default=TimestamptzNow())
    device = Varchar(length=100, default="", null=False)
    offline = Boolean(default=False, null=False)


class Scan(Table, tablename="scan"):
    """Every scan attempt, for audit and statistics: never the code, never a phone number.

    `nonce` (unique per fair) makes a retried scan harmless: its answer is rendered again from
    `result`, `detail` (JSON: what the explanation needs that no other row keeps, e.g. the
    window a not_open scan was refused by; never text) and, for a ticket, its registration and
    admission (fairs.checkin.answers.render)."""

    fair = ForeignKey(Fair, null=False)
    scanned_at = Timestamptz(null=False, default=TimestamptzNow())
    received_at = Timestamptz(null=False, default=TimestamptzNow())
    device = Varchar(length=100, default="", null=False)
    method = Varchar(length=16, default="scan", null=False)
    kind = Varchar(length=16, default="", null=False)  # ticket | employer | "" (unknown)
    registration_id = Integer(null=True, default=None)
    result = Varchar(length=32, null=False)
    offline = Boolean(default=False, null=False)
    nonce = Varchar(length=64, null=True, default=None)
    detail = Text(null=True, default=None)


class CheckinWindow(Table, tablename="checkin_window"):
    """A fair's own check-in window; without a row: an hour before the start to the end."""

    fair = ForeignKey(Fair, null=False)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)


class OnlineSession(Table, tablename="online_session"):
    """Viewers of an online fair's livestream session, typed in or from the platform's CSV."""

    fair = ForeignKey(Fair, null=False)
    label = Varchar(length=200, default="", null=False)
    starts_at = Timestamptz(null=True, default=None)
    peak_viewers = Integer(default=0, null=False)
    total_views = Integer(default=0, null=False)
    source = Varchar(length=16, default="manual", null=False)
    created_at = Timestamptz(null=False, default=TimestamptzNow())


class AdmissionTally(Table, tablename="admission_tally"):
    """Admissions per fair, kept in the admission's own transaction so that a scan's answer reads
    the count in O(1). Split into a few shards per fair (summed when read) so that concurrent
    transactions do not queue on one row: each round of admissions adds to one shard, chosen at
    random (fairs.checkin.admit)."""

    fair = ForeignKey(Fair, null=False)
    shard = Integer(default=0, null=False)
    n = Integer(default=0, null=False)
