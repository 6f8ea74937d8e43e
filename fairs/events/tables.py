from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from fairs.accounts.tables import Organisation
from fairs.catalog.tables import Channel, Venue

KINDS = ("offline", "online")
STATUSES = ("draft", "published", "cancelled")
FORMATS = ("special", "campus", "spring-breeze", "matchmaking", "general", "livestream",
           "outreach")


class Fair(Table, tablename="fair"):
    """One recruitment event: offline at a venue (booths), or online on a livestream channel."""

    kind = Varchar(length=16, null=False)
    title = Varchar(length=300, null=False)
    description = Text(default="", null=False)
    format = Varchar(length=32, default="special", null=False)
    starts_at = Timestamptz(null=False, default=None, index=True)
    ends_at = Timestamptz(null=False, default=None)
    org = ForeignKey(Organisation, null=False)
    venue = ForeignKey(Venue, null=True)
    channel = ForeignKey(Channel, null=True)
    stream_url = Varchar(length=1000, default="", null=False)
    capacity = Integer(null=True, default=None)
    status = Varchar(length=16, default="draft", null=False)
    # Raised on every change a calendar must see (reschedule, cancellation): iCalendar SEQUENCE.
    revision = Integer(default=0, null=False)
    cancel_reason = Text(default="", null=False)
    booking_opens_at = Timestamptz(null=True, default=None)
    booking_closes_at = Timestamptz(null=True, default=None)
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    plan_id = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    updated_at = Timestamptz(default=TimestamptzNow(), null=False)
    published_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)


class FairIndustry(Table, tablename="fair_industry"):
    fair = ForeignKey(Fair, null=False)
    industry = Varchar(length=64, null=False, index=True)


class FairAudience(Table, tablename="fair_audience"):
    fair = ForeignKey(Fair, null=False)
    audience = Varchar(length=64, null=False, index=True)
