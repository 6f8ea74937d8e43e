from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.events.tables import Fair
from fairs.tickets.tables import Registration


class SeekerProfile(Table, tablename="seeker_profile"):
    """A job seeker's optional profile for one registration (issue 19): what they look for, kept
    with their consent to rank the fair's positions for them and to count, for each employer's
    position, how many registrants it fits. At most one per registration (a unique index,
    raw-SQL migration). Codes are stored comma-separated ("software,logistics").

    `consent_contact`: employers whose positions the holder marked may see the holder's name and
    phone number (otherwise they see counts only). Deleted by the holder, or by the retention
    run (fairs.tickets.retention, through fairs.hooks.retention_purge) with the registration's
    own personal data, or at once for a cancelled registration."""

    registration = ForeignKey(Registration, null=False)
    fair = ForeignKey(Fair, null=False)
    industries = Varchar(length=400, default="", null=False)  # industry codes
    job_types = Varchar(length=100, default="", null=False)
    education = Varchar(length=16, default="any", null=False)
    major = Varchar(length=50, default="", null=False)
    districts = Varchar(length=400, default="", null=False)  # organisation codes
    expected_pay = Integer(null=True, default=None)  # yuan a month
    consent_contact = Boolean(default=False, null=False)
    consented_at = Timestamptz(default=TimestamptzNow(), null=False)
    updated_at = Timestamptz(default=TimestamptzNow(), null=False)
