"""The employers slice's tables: employers and their staff; the positions they bring to fairs;
the no-show ledger and the city-wide booking rules that govern their bookings.

Positions and no-shows hang on bookings, which are the booths slice's, and the booths slice
builds on this one (a booking belongs to an employer): so their foreign keys name the booths
tables by string (Piccolo's LazyTableReference, resolved through the app registry when first
used), and nothing here imports fairs.booths. The tables were made by the booths app's
migrations and are the employers app's since its migration 2026-12-05T00:00:00 (which moved
them without touching the database; see that migration's note on later changes)."""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from fairs.accounts.tables import User
from fairs.events.tables import Fair

STATUSES = ("pending", "approved", "rejected")


class Employer(Table, tablename="employer"):
    """A company that comes to fairs to hire. Only approved employers book booths and slots."""

    name = Varchar(length=300, null=False)
    uscc = Varchar(length=18, unique=True, null=False)  # 统一社会信用代码, checked digit
    industry = Varchar(length=64, null=False)
    contact_name = Varchar(length=100, null=False)
    contact_phone = Varchar(length=20, null=False)  # E.164, shown masked
    email = Varchar(length=320, default="", null=False)  # optional: notices by e-mail too
    status = Varchar(length=16, default="pending", null=False, index=True)
    reject_reason = Text(default="", null=False)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(User, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class EmployerMember(Table, tablename="employer_member"):
    """A staff account (a user with role "employer") of one employer."""

    employer = ForeignKey(Employer, null=False, index=True)
    user = ForeignKey(User, null=False, unique=True)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class Position(Table, tablename="job_position"):
    """A job (岗位) an employer brings to a fair, hung on a confirmed booking or guest slot."""

    fair = ForeignKey(Fair, null=False)
    employer = ForeignKey(Employer, null=False)
    booking = ForeignKey(LazyTableReference("Booking", app_name="booths"), null=True)
    slot_booking = ForeignKey(LazyTableReference("SlotBooking", app_name="booths"),
                              null=True)
    title = Varchar(length=200, null=False)
    headcount = Integer(default=1, null=False)
    education = Varchar(length=32, default="any", null=False)
    experience = Varchar(length=32, default="any", null=False)
    salary_min = Integer(default=0, null=False)
    salary_max = Integer(default=0, null=False)
    pay_unit = Varchar(length=8, default="month", null=False)  # month | day | hour
    major = Varchar(length=200, default="", null=False)
    job_type = Varchar(length=32, default="regular", null=False)
    description = Text(default="", null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class NoShow(Table, tablename="no_show"):
    """The no-show ledger: a confirmed booth not attended, or cancelled after the deadline."""

    employer = ForeignKey(Employer, null=False)
    fair = ForeignKey(Fair, null=False)
    booking = ForeignKey(LazyTableReference("Booking", app_name="booths"), null=True)
    reason = Varchar(length=16, null=False)  # absent | late_cancel
    occurred_at = Timestamptz(null=False, default=None)
    annulled_at = Timestamptz(null=True, default=None)
    annulled_by = Integer(null=True, default=None)
    note = Text(default="", null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)


class BookingRules(Table, tablename="booking_rules"):
    """One row: the ledger's settings (defaults when absent)."""

    free_cancel_workdays = Integer(default=1, null=False)
    no_show_limit = Integer(default=2, null=False)
    window_days = Integer(default=365, null=False)
    suspension_days = Integer(default=90, null=False)
    updated_at = Timestamptz(default=TimestamptzNow(), null=False)

