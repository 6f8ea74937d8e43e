"""What the booths slice's modules share: the fair a booth or slot belongs to (who may see
or manage it), booking windows and working days, the fair's lock, and who may touch a booking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.errors import Conflict, FieldError, Forbidden, NotFound
from fairs.events import services as events
from fairs.events.tables import Fair
from fairs.i18n import N_, TZ

now = clock.now  # the one clock (tests set it)


def _conflict(field: str, message: str, *, code: str | None = None, params: dict | None = None,
              **extra) -> Conflict:
    return Conflict(message, code=code, params=params,
                    errors=[FieldError(field, message, code=code, params=params)],
                    extra=extra or None)


# --- fairs, windows, working days -----------------------------------------------------------

_FAIR_COLUMNS = (
    Fair.id, Fair.kind, Fair.title, Fair.status, Fair.starts_at, Fair.ends_at, Fair.venue,
    Fair.channel, Fair.published_at, Fair.booking_opens_at, Fair.booking_closes_at,
    Fair.org.path.as_alias("org_path"), Fair.venue.name.as_alias("venue_name"),
    Fair.channel.name.as_alias("channel_name"),
)


async def organisers_coming_fairs(principal: Principal) -> list[dict]:
    """The organiser's booths page: fairs not cancelled and not ended, in their subtree."""
    rows = await Fair.select(
        Fair.id, Fair.kind, Fair.title, Fair.status, Fair.starts_at,
        Fair.venue.name.as_alias("venue_name"), Fair.channel.name.as_alias("channel_name"),
        Fair.org.path.as_alias("org_path"),
    ).where(Fair.status != "cancelled", Fair.ends_at > now()).order_by(
        Fair.starts_at).limit(300)
    return [r for r in rows if principal.is_admin
            or r["org_path"].startswith(principal.org_path or "/")]


async def fair_row(fair_id: int, principal: Principal | None = None) -> dict:
    row = await Fair.select(*_FAIR_COLUMNS).where(Fair.id == fair_id).first()
    if row is None or not events.can_see(principal, row):
        raise NotFound(N_("no such fair"), code="unknown_fair")
    return row


async def managed_fair(principal: Principal, fair_id: int) -> dict:
    row = await fair_row(fair_id, principal)
    if not principal.is_organiser or not accounts.in_subtree(principal, row["org_path"]):
        raise Forbidden(N_("this fair belongs to another organisation"), code="other_organisation")
    return row


def booking_window(fair: dict) -> tuple[datetime | None, datetime]:
    """From publication (or booking_opens_at) until the start (or booking_closes_at)."""
    return (fair["booking_opens_at"] or fair["published_at"],
            fair["booking_closes_at"] or fair["starts_at"])


def check_open(fair: dict, at: datetime | None = None) -> None:
    at = at or now()
    if fair["status"] == "cancelled":
        raise _conflict("fair", N_("the fair is cancelled"), code="fair_cancelled")
    if fair["status"] != "published":
        raise _conflict("fair", N_("the fair is not published yet"), code="not_published")
    opens, closes = booking_window(fair)
    if opens is not None and at < opens:
        raise _conflict("fair", N_("booking opens at {when}"), code="booking_not_open",
                        params={"when": opens})
    if at >= closes:
        raise _conflict("fair", N_("booking closed at {when}"), code="booking_closed",
                        params={"when": closes})


def is_workday(d: date) -> bool:
    """China's working days (chinese-calendar: holidays and swapped weekends), falling back to
    Monday to Friday for years the library does not know yet."""
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(d)
    except (NotImplementedError, ImportError):
        return d.weekday() < 5


def free_cancel_deadline(starts_at: datetime, workdays: int = 1) -> datetime:
    """Cancelling is free until the end of the `workdays`-th working day before the fair's day
    (China time): for a Monday fair and one working day, until Friday 24:00."""
    d = starts_at.astimezone(TZ).date()
    counted = 0
    while counted < workdays:
        d -= timedelta(days=1)
        if is_workday(d):
            counted += 1
    return datetime.combine(d + timedelta(days=1), time.min, tzinfo=TZ).astimezone(UTC)


async def _lock_fair(fair_id: int) -> None:
    """Serialise waitlist changes of one fair. SQLite's IMMEDIATE transaction already serialises
    every writer; PostgreSQL locks the fair row (NO KEY UPDATE, which bookings' foreign-key
    checks, taking KEY SHARE, do not wait for): cancellations, layout changes and employers
    joining the waitlist, so a freed booth is never missed and each waiter's place counts every
    earlier one."""
    await db.dialect.lock_row("fair", fair_id, "NO KEY UPDATE")



async def _can_touch(principal: Principal, row: dict) -> bool:
    if principal.is_organiser:
        return accounts.in_subtree(principal, row["org_path"])
    return principal.role == "employer" and (
        await employers.employer_id_of(principal.id) == row["employer"])



async def open_fairs(kind: str | None = None) -> list[dict]:
    """Published fairs whose booking window is open now, soonest first."""
    return [r for r in await bookable_fairs(kind) if r["bookable"]]


async def bookable_fairs(kind: str | None = None) -> list[dict]:
    """Every published fair that has not ended, soonest first, as an employer's list shows
    them: `bookable` when a booth (or a place on the waitlist) or a free guest slot can be
    booked now, by the rule `check_open` applies (the booking window, which may close after
    the start); `opens` and `closes`; `free_booths` and `free_slots`; `state`: "open",
    "full" (an online fair open for booking with no free guest slot) or "later" (booking
    opens later).

    (The list used to ask for fairs not yet started and stop at 200: a fair whose booking
    stays open after its start, and every fair after the 200th, were left out.)"""
    at = now()
    query = Fair.select(*_FAIR_COLUMNS).where(Fair.status == "published", Fair.ends_at > at)
    if kind:
        query = query.where(Fair.kind == kind)
    rows = await query.order_by(Fair.starts_at, Fair.id)
    free = await _free_places([r["id"] for r in rows])
    out = []
    for r in rows:
        opens, closes = booking_window(r)
        is_open = (opens is None or opens <= at) and at < closes
        if not is_open and at >= closes:
            continue  # booking is over for good
        booths, slots = free.get(r["id"], (0, 0))
        bookable = is_open and (r["kind"] == "offline" or slots > 0)
        out.append({**r, "opens": opens, "closes": closes, "free_booths": booths,
                    "free_slots": slots, "bookable": bookable,
                    "state": "open" if bookable else ("full" if is_open else "later")})
    return out


async def _free_places(fair_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{fair: (free booths, free guest slots)}: one aggregate round trip."""
    if not fair_ids:
        return {}
    out: dict[int, tuple[int, int]] = {}
    for start in range(0, len(fair_ids), 500):
        ids = fair_ids[start:start + 500]
        marks = ", ".join("{}" for _ in ids)
        rows = await db.fetch(
            "SELECT b.fair AS fair, COUNT(*) AS booths, 0 AS slots FROM booth b "
            f"WHERE b.fair IN ({marks}) AND NOT b.blocked AND NOT EXISTS (SELECT 1 FROM "
            "booking k WHERE k.booth = b.id AND k.status = 'confirmed') GROUP BY b.fair "
            "UNION ALL SELECT g.fair, 0, COUNT(*) FROM guest_slot g "
            f"WHERE g.fair IN ({marks}) AND NOT EXISTS (SELECT 1 FROM slot_booking s "
            "WHERE s.slot = g.id AND s.status = 'confirmed') GROUP BY g.fair", *ids, *ids)
        for r in rows:
            booths, slots = out.get(r["fair"], (0, 0))
            out[r["fair"]] = (booths + int(r["booths"] or 0), slots + int(r["slots"] or 0))
    return out
