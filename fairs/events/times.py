"""The events slice's times: the one clock, a caller's time made aware (China Standard Time when
it has no offset) and bounded, ISO text in local time, the UTC start of a local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from fairs import bounds, clock
from fairs.i18n import TZ

from .tables import STATUSES as STATUSES  # for the pages (pages never import tables)

now = clock.now  # the one clock (tests set it)


def aware(value: datetime, field: str) -> datetime:
    """Times without an offset are taken as China Standard Time (what a form sends). Every time
    a caller gives passes here: one outside 2000..2100 is a 422 naming `field` (year 1 or 9999
    overflows in the conversion to UTC)."""
    bounds.check_date(value, field)
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat() if value is not None else None


def day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=TZ).astimezone(UTC)
