"""The outreach slice's tables: services given to employers (服务台账) and the service officers
(用工专员) assigned to key employers.

A fair's attendance is a service too, but it is not copied here: the measures' read model
derives it from the bookings (fairs.measures.presence) wherever services are listed or counted.
"""

from piccolo.columns import Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.accounts.tables import Organisation, User
from fairs.employers.tables import Employer


class EmployerService(Table, tablename="employer_service"):
    """One service to one employer, recorded by an organiser: its kind (visit, phone,
    symposium, policy, other: fairs.measures.SERVICE_KINDS), the day it was given, who gave it
    (the recording login and a free text of staff names), the topics (comma-separated codes),
    notes and the day a follow-up is due. It counts for the recorder's organisation (`org`)."""

    employer = ForeignKey(Employer, null=False)
    kind = Varchar(length=16, null=False)
    served_on = Date(null=False, default=None)
    recorded_by = ForeignKey(User, null=False)
    staff_names = Varchar(length=200, default="", null=False)
    topics = Varchar(length=200, default="", null=False)
    notes = Text(default="", null=False)
    follow_up_on = Date(null=True, default=None)
    org = ForeignKey(Organisation, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    updated_at = Timestamptz(null=True, default=None)


class EmployerOfficer(Table, tablename="employer_officer"):
    """A service officer (用工专员): an organiser's login assigned to a key employer ("一企一策");
    an employer may have several. Once per (employer, officer), by a unique index."""

    employer = ForeignKey(Employer, null=False)
    officer = ForeignKey(User, null=False)
    assigned_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
