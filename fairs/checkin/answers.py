"""Check-in's vocabulary: the results, the methods, the check-in window and the sentence a
scanner shows for each result (rendered in the reader's language when the answer is built)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs import clock, db, i18n
from fairs.i18n import gettext as _

RESULTS = ("ok", "already_checked_in", "unknown", "wrong_fair", "cancelled", "not_open")
METHODS = ("scan", "walk_in", "self")
OPENS_BEFORE = timedelta(hours=1)
FUTURE_SLACK = timedelta(minutes=5)

def window(fair: dict) -> tuple[datetime, datetime]:
    """The check-in window: the fair's own, or an hour before the start to the end."""
    opens = db.as_datetime(fair.get("opens_at")) or db.as_datetime(fair["starts_at"]) - OPENS_BEFORE
    closes = db.as_datetime(fair.get("closes_at")) or db.as_datetime(fair["ends_at"])
    return opens, closes


def _when(value: datetime) -> str:
    local = value.astimezone(i18n.TZ)
    if local.date() == clock.today_local():
        return i18n.format_time(value, "short")
    return i18n.format_datetime(value, "short")


def explain(result: str, *, kind: str = "ticket", first: datetime | None = None,
            fair_cancelled: bool = False, opens: datetime | None = None,
            closes: datetime | None = None, mistyped: bool = False, label: str = "") -> str:
    """The short sentence a scanner shows, in the request's language."""
    if result == "ok":
        if kind == "employer":
            return _("Employer checked in: %(name)s.", name=label)
        return _("Admitted. Welcome!")
    if result == "already_checked_in":
        return _("Already checked in at %(time)s; not counted again.", time=_when(first))
    if result == "unknown":
        if mistyped:
            return _("This code is mistyped or is not a ticket.")
        return _("Unknown code: no such ticket.")
    if result == "wrong_fair":
        return _("This code is for another fair.")
    if result == "cancelled":
        if fair_cancelled:
            return _("This fair is cancelled.")
        return _("This registration was cancelled.")
    if result == "not_open":
        if opens is not None and closes is not None:
            return _("Check-in is not open: it runs from %(opens)s to %(closes)s.",
                     opens=i18n.format_datetime(opens, "short"),
                     closes=i18n.format_datetime(closes, "short"))
        return _("Check-in is not open.")
    raise ValueError(result)


def events_iso(value: datetime | None) -> str | None:
    return value.astimezone(i18n.TZ).isoformat() if value is not None else None
