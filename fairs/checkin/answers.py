"""Check-in's vocabulary: the results, the methods, the check-in window, and the answer a
scanner shows for a scan, built by one function (`render`) from what the scan log keeps: the
result code, the scan's `detail` (JSON data, never text) and, for a ticket, its holder and
admission. A first answer and every replay of it are rendered alike, the explanation in the
language of the request being answered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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


def _aware(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def render(result: str, *, kind: str = "ticket", detail: dict | None = None,
           attendee: dict | None = None, first_at: datetime | None = None,
           first_device: str | None = None, device: str = "", offline: bool = False) -> dict:
    """API.md's answer to a scan, without `counts`. `detail` holds what the explanation needs
    that the database does not keep elsewhere (fair_cancelled; opens and closes; mistyped; for
    a booking's code the employer and the first time); for a ticket, `attendee` is its holder
    (masked) and `first_at`/`first_device` its admission. An already_checked_in scan taken
    offline on another device than the admission's is flagged `conflict`."""
    detail = detail or {}
    answer: dict[str, Any] = {"result": result}
    holder = detail.get("employer")
    if kind == "employer":
        first_at = _aware(detail.get("first"))
        if holder is not None and result != "wrong_fair":
            answer["employer"] = holder
    elif attendee is not None and result not in ("wrong_fair", "unknown"):
        answer["attendee"] = attendee
    if result in ("ok", "already_checked_in"):
        answer["checked_in_at"] = events_iso(first_at)
    if result == "ok":
        label = holder["name"] if kind == "employer" and holder else ""
        answer["explanation"] = explain("ok", kind=kind, label=label)
    elif result == "already_checked_in":
        answer["explanation"] = explain(result, first=first_at)
        if kind == "ticket" and offline and first_device != device:
            answer["conflict"] = True
    else:
        answer["explanation"] = explain(
            result, fair_cancelled=bool(detail.get("fair_cancelled")),
            opens=_aware(detail.get("opens")), closes=_aware(detail.get("closes")),
            mistyped=bool(detail.get("mistyped")))
    return answer
