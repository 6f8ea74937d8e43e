from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.employers.tables import Employer, Position
from fairs.events.tables import Fair
from fairs.tickets.tables import Registration

BOOKING_STATUSES = ("confirmed", "waitlisted", "cancelled")


class Booth(Table, tablename="booth"):
    """One booth of an offline fair's layout; (x, y, w, h) place it on the floor-plan grid."""

    fair = ForeignKey(Fair, null=False)
    code = Varchar(length=16, null=False)
    zone = Varchar(length=32, default="", null=False)
    x = Integer(default=0, null=False)
    y = Integer(default=0, null=False)
    w = Integer(default=1, null=False)
    h = Integer(default=1, null=False)
    step_free = Boolean(default=False, null=False)
    blocked = Boolean(default=False, null=False)


class Booking(Table, tablename="booking"):
    """An employer's booth at a fair: confirmed (with a booth), waitlisted (without), cancelled.
    Partial unique indexes (raw-SQL migration) keep one active booking per booth and per
    employer and fair."""

    fair = ForeignKey(Fair, null=False)
    employer = ForeignKey(Employer, null=False)
    booth = ForeignKey(Booth, null=True)
    status = Varchar(length=16, null=False)
    code = Varchar(length=24, unique=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancelled_by = Integer(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)


class GuestSlot(Table, tablename="guest_slot"):
    """A time in an online fair's livestream when one employer's HR manager presents."""

    fair = ForeignKey(Fair, null=False)
    starts_at = Timestamptz(null=False, default=None)
    ends_at = Timestamptz(null=False, default=None)
    label = Varchar(length=200, default="", null=False)


class SlotBooking(Table, tablename="slot_booking"):
    slot = ForeignKey(GuestSlot, null=False)
    fair = ForeignKey(Fair, null=False)
    employer = ForeignKey(Employer, null=False)
    status = Varchar(length=16, null=False)
    topic = Varchar(length=300, default="", null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    cancelled_at = Timestamptz(null=True, default=None)


class Interest(Table, tablename="position_interest"):
    """An attendee (their ticket) marks interest in a position, having scanned a booth's poster.
    Once per (ticket, position): a unique index (raw-SQL migration). `fair` and `employer` are
    the position's, kept here for the employer's per-fair list."""

    position = ForeignKey(Position, null=False)
    registration = ForeignKey(Registration, null=False)
    fair = ForeignKey(Fair, null=False)
    employer = ForeignKey(Employer, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
