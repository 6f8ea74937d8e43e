from piccolo.columns import ForeignKey, Integer, Timestamptz
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
