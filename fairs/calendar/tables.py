from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class CalendarFeedToken(Table, tablename="calendar_feed_token"):
    """An employer's private feed address. The token itself is never stored: it is
    HMAC(secret key, salt), so the service can show the address again, and a copy of the
    database alone reveals nothing; `token_hash` (sha256 of the token) finds the row.
    At most one live token per employer (a partial unique index, see the migrations)."""

    employer_id = Integer(null=False, index=True)
    salt = Varchar(length=64, null=False)
    token_hash = Varchar(length=64, unique=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow(), null=False)
    revoked_at = Timestamptz(null=True, default=None)


class CalendarPiece(Table, tablename="calendar_piece"):
    """A fair's serialised VEVENT, valid while `key` (revision, updated_at, jobs) matches."""

    fair_id = Integer(unique=True, null=False)
    key = Varchar(length=200, null=False)
    body = Text(null=False)
    built_at = Timestamptz(default=TimestamptzNow(), null=False)
