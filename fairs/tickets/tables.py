from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.events.tables import Fair

STATUSES = ("active", "cancelled")
SOURCES = ("online", "walk_in")


class Registration(Table, tablename="registration"):
    """A job seeker's registration for one fair, and its ticket code (the QR text).

    One active registration per phone per fair (a partial unique index); `status` "cancelled"
    revokes the code. `secret_hash` is the SHA-256 of the holder's secret (the key to the
    ticket's page and its cancellation; codes.new_secret), unique; NULL where nobody holds one.
    Erased (fairs.tickets.retention, after the retention period): `name` and `phone_last4`
    empty, `phone` "#<id>", `secret_hash` NULL; the row stays for the reports' counts.
    """

    fair = ForeignKey(Fair, null=False)
    code = Varchar(length=32, null=False)
    secret_hash = Varchar(length=64, null=True, default=None)
    name = Varchar(length=100, null=False)
    phone = Varchar(length=20, null=False)  # E.164, +86...
    phone_last4 = Varchar(length=4, null=False)
    audiences = Varchar(length=500, default="", null=False)  # comma-separated audience codes
    status = Varchar(length=16, default="active", null=False)
    source = Varchar(length=16, default="online", null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    cancelled_at = Timestamptz(null=True, default=None)


class RegistrationTally(Table, tablename="registration_tally"):
    """Active registrations per fair, kept for the capacity check: `UPDATE ... SET active =
    active + 1 WHERE active < capacity` decides a race for the last place."""

    fair = ForeignKey(Fair, null=False)
    active = Integer(default=0, null=False)
