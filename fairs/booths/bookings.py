"""Booth bookings, the waitlist and the door codes of bookings.

The races are the database's to settle (DESIGN.md §2): a partial unique index allows one
confirmed booking per booth, another one active (confirmed or waitlisted) booking per employer
and fair; guest slots the same. The loser of a race gets the unique violation, recognised by
the index's name: a 409, or another try when it lost a booth it had not named.

Every booking takes one path, with the same statements on both engines (what they spell
differently comes from fairs.db.dialect):

1. One statement books the named booth, or the first free one by code, unless an employer
   already waits at this fair. On PostgreSQL "any booth" skips the booths that concurrent
   bookings are taking right now (`FOR NO KEY UPDATE SKIP LOCKED`), so they pick different
   ones; a named booth is settled by the unique index alone.
2. When it books nothing, a named booth is refused (404, or 409: blocked or taken). Any booth:
   a short write transaction holding the fair's lock (PostgreSQL: the fair row; SQLite's
   IMMEDIATE transaction serialises every writer anyway) runs the same statement again, now
   without skipping any booth and joining the waitlist when none is free; its RETURNING
   answers the place it stored.

Nothing is remembered between requests: "the fair is full" is read from the database. Nobody
waits while a booth is free, so when an employer waits there (one index lookup, in the
booking's first read), "any booth" goes straight to step 2, which looks again. Any number of
workers agree. Waitlist joins, cancellations and layout changes of one fair hold its lock, so
a freed booth goes to the first waitlisted employer in the same transaction and each joiner
counts every earlier one. A waitlist place is defined once (`_place_sql`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from fairs import db, hooks
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.employers.ledger import _ABSENT_WHERE, ensure_not_suspended, get_rules
from fairs.employers.tables import NoShow
from fairs.errors import FieldError, Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.hooks import DoorCode
from fairs.i18n import N_, TZ

from .base import (
    _can_touch,
    _conflict,
    _lock_fair,
    check_open,
    free_cancel_deadline,
    managed_fair,
    now,
)
from .codes import looks_like_code, new_code
from .tables import (
    Booking,
    Booth,
)

ACTIVE = ("confirmed", "waitlisted")
MAX_RETRIES = 20


# --- bookings -------------------------------------------------------------------------------

# A free booth of fair `{}`: not blocked, held by no confirmed booking.
_FREE_BOOTH = ("SELECT b.id FROM booth b WHERE b.fair = {} AND NOT b.blocked AND NOT EXISTS "
               "(SELECT 1 FROM booking k WHERE k.booth = b.id AND k.status = 'confirmed')")


def _place_sql(alias: str) -> str:
    """The waitlist place of booking `alias`, the one definition: 1 + the waitlisted bookings
    of its fair made before it (its own row never counts, so the text means the same in an
    INSERT's RETURNING, where SQLite sees the new row and PostgreSQL does not)."""
    return (f"1 + (SELECT COUNT(*) FROM booking w WHERE w.fair = {alias}.fair "
            f"AND w.status = 'waitlisted' AND w.id < {alias}.id)")


def _book_sql(named: bool, waitlist: bool) -> str:
    """The booking statement: for fair `{}` (the booth code follows when `named`), the named
    booth or the first free one by code, if nobody waits at this fair (`{}`: the fair again).
    Without `waitlist` (the first try, outside any transaction) no row when there is none, and
    "any booth" skips the booths concurrent bookings are taking; with it (under the fair's lock)
    a waitlist place then. Then the new row's fair, employer, door code, created_at, and
    confirmed_at. Returns id, booth, status, booth_code and the waitlist place (else NULL)."""
    lock = "" if named or waitlist else db.dialect.skip_locked("b")
    booth = " AND b.code = {}" if named else ""
    source = "(SELECT 1 AS one) AS one LEFT JOIN free ON 1 = 1" if waitlist else "free"
    return (
        f"WITH free AS ({_FREE_BOOTH}{booth} AND NOT EXISTS (SELECT 1 FROM booking q "
        f"WHERE q.fair = {{}} AND q.status = 'waitlisted') ORDER BY b.code LIMIT 1{lock}) "
        "INSERT INTO booking (fair, employer, booth, status, code, created_at, confirmed_at) "
        "SELECT {}, {}, free.id, CASE WHEN free.id IS NULL THEN 'waitlisted' ELSE 'confirmed' "
        "END, {}, {}, CASE WHEN free.id IS NULL THEN NULL ELSE "
        f"{db.dialect.timestamp('{}')} END FROM {source} "
        "RETURNING id, booth, status, (SELECT b.code FROM booth b WHERE b.id = booking.booth) "
        f"AS booth_code, CASE WHEN status = 'waitlisted' THEN {_place_sql('booking')} END "
        "AS place")


async def _book(fair_id: int, employer_id: int, code: str | None, waitlist: bool
                ) -> dict | None:
    """Run the booking statement: the new booking, or None when it booked nothing."""
    at, door = now(), new_code()
    args = [fair_id, code, fair_id] if code else [fair_id, fair_id]
    rows = await db.write(_book_sql(bool(code), waitlist), *args, fair_id, employer_id, door,
                          at, at)
    if not rows:
        return None
    return {**rows[0], "code": door, "created_at": at}


async def _take_booth(fair_id: int, employer_id: int, code: str | None, queue: bool
                      ) -> dict | None:
    """One try of the one booking path: the booth named, or the first free one; else, for any
    booth, the waitlist, under the fair's lock. `queue`: an employer waited at this fair a
    moment ago (read from the database), so no booth is free: straight to the waitlist
    transaction, which looks again. None: the named booth was not free."""
    if code or not queue:
        async with db.write_transaction():
            made = await _book(fair_id, employer_id, code, waitlist=False)
            await _told(fair_id, employer_id, made)
        if made is not None or code:
            return made
    async with db.write_transaction():
        await _lock_fair(fair_id)
        made = await _book(fair_id, employer_id, None, waitlist=True)
        await _told(fair_id, employer_id, made)
        return made


async def _told(fair_id: int, employer_id: int, made: dict | None) -> None:
    """Inside the booking's transaction: the employer is told (fairs.hooks.happened)."""
    if made is not None:
        await hooks.happened.notify(hooks.Happening(
            f"booking.{made['status']}", fair_id, made["id"],
            {"employer": employer_id, "booth": made.get("booth_code"),
             "place": made.get("place"), "code": made.get("code")}))


async def _refuse_named(fair_id: int, code: str) -> None:
    """The named booth booked nothing: say why (404 no such booth, 409 blocked or taken).
    Returns when the booth is free after all (freed a moment ago): try again."""
    rows = await db.fetch(
        "SELECT b.blocked, EXISTS (SELECT 1 FROM booking k WHERE k.booth = b.id AND "
        "k.status = 'confirmed') AS taken, EXISTS (SELECT 1 FROM booking q WHERE q.fair = b.fair "
        "AND q.status = 'waitlisted') AS queue FROM booth b WHERE b.fair = {} AND b.code = {}",
        fair_id, code)
    if not rows:
        raise NotFound(N_("no booth {code} at this fair"), code="unknown_booth",
                       params={"code": code},
                       errors=[FieldError("booth", N_("no booth {code} at this fair"),
                                          code="unknown_booth", params={"code": code})])
    if rows[0]["blocked"]:
        raise _conflict("booth", N_("booth {code} is not available"), code="booth_blocked",
                        params={"code": code})
    if rows[0]["taken"] or rows[0]["queue"]:  # a free booth is the first waiter's
        raise _conflict("booth", N_("booth {code} is taken"), code="booth_taken",
                        params={"code": code})


async def _free_booth(fair_id: int) -> int | None:
    rows = await db.fetch(f"{_FREE_BOOTH} ORDER BY b.code LIMIT 1"
                          f"{db.dialect.skip_locked('b')}", fair_id)
    return rows[0]["id"] if rows else None


_BOOKING_CONTEXT = (
    "SELECT e.id AS employer_id, e.status AS employer_status, "
    "(SELECT COUNT(*) FROM no_show WHERE employer = e.id AND annulled_at IS NULL) AS n, "
    "(SELECT COUNT(*) FROM booking k JOIN fair f ON f.id = k.fair WHERE k.employer = e.id "
    f"AND {_ABSENT_WHERE}) AS due, "
    "EXISTS (SELECT 1 FROM booking q WHERE q.fair = fr.id AND q.status = 'waitlisted') AS queue, "
    "fr.id, fr.kind, fr.status, fr.starts_at, fr.published_at, fr.booking_opens_at, "
    "fr.booking_closes_at, o.path AS org_path "
    "FROM (SELECT 1 AS one) AS one "
    "LEFT JOIN (employer_member m JOIN employer e ON e.id = m.employer) ON m.user = {} "
    "LEFT JOIN (fair fr JOIN organisation o ON o.id = fr.org) ON fr.id = {}"
)


async def _booking_context(principal: Principal | None, fair_id: int) -> tuple[int, bool, dict]:
    """The hot path of a booking rush, in one raw query: the caller's employer id, if it may
    book (employers.check_may_book: 403 otherwise), whether its standing needs the full
    suspension check (any no-show on record, or an absence not yet recorded), and the few
    fields of the fair booking needs (404 when the caller may not see it), with `queue`:
    whether an employer waits there."""
    if principal is None or principal.role != "employer":
        raise Forbidden(N_("employers only"), code="employers_only")
    rows = await db.fetch(_BOOKING_CONTEXT, now(), principal.id, fair_id)
    row = rows[0]
    if row["employer_id"] is None:
        raise Forbidden(N_("this account belongs to no employer"), code="not_an_employer")
    employers.check_may_book(row["employer_status"])
    if row["id"] is None or not events.can_see(principal, row):
        raise NotFound(N_("no such fair"), code="unknown_fair")
    for key in ("starts_at", "published_at", "booking_opens_at", "booking_closes_at"):
        row[key] = db.as_datetime(row[key])
    return row["employer_id"], bool(row["n"] or row["due"]), row


def _map_booking_violation(exc: BaseException) -> str | None:
    """'employer', 'booth' or 'code' for a unique violation of a booking, else None."""
    if db.is_unique_violation(exc, "booking_employer_active"):
        return "employer"
    if db.is_unique_violation(exc, "booking_booth_active"):
        return "booth"
    if db.is_unique_violation(exc, "booking_code_key"):
        return "code"
    return None


async def book_booth(principal: Principal, fair_id: int, booth_code: str | None) -> dict:
    """The one booking rule. A named booth: confirmed, or 409 when taken. No booth: any free
    one, or a place on the waitlist. 409 when the employer already holds a booking here.

    The hot path of a booking rush: one raw read, then the booking statement (see the
    module's docstring), whose RETURNING gives the booth's code and the waitlist place."""
    employer_id, flagged, fair = await _booking_context(principal, fair_id)
    if fair["kind"] != "offline":
        raise Invalid("booth", N_("online fairs have guest slots, not booths"),
                      code="online_fair")
    check_open(fair)
    if flagged:
        await ensure_not_suspended(employer_id)
    code = (booth_code or "").strip().upper() or None
    for _attempt in range(MAX_RETRIES):
        try:
            made = await _take_booth(fair_id, employer_id, code, bool(fair["queue"]))
        except Exception as exc:
            which = _map_booking_violation(exc)
            if which == "employer":  # a waitlist place counts too
                raise _conflict("booth", N_("your company already holds a booking at this fair"),
                                code="already_booked") from exc
            if which == "booth" and code:
                raise _conflict("booth", N_("booth {code} is taken"), code="booth_taken",
                                params={"code": code}) from exc
            if which in ("booth", "code"):
                continue  # another employer won that booth a moment ago: pick again
            raise
        if made is not None:
            break
        await _refuse_named(fair_id, code)  # raises unless the booth was freed just now
    else:
        raise _conflict("booth", N_("too many employers are booking at once; try again"),
                        code="busy")
    return {"id": made["id"], "fair": fair_id, "employer": employer_id, "status": made["status"],
            "code": made["code"], "created_at": made["created_at"], "checked_in_at": None,
            "booth_code": made["booth_code"], "place": made["place"]}


async def _promote(fair_id: int, booth_id: int) -> int | None:
    """Give a freed booth to the first waitlisted employer (inside the caller's transaction,
    with the fair locked). Returns the promoted booking's id."""
    booth = await Booth.select(Booth.blocked).where(Booth.id == booth_id).first()
    if booth is None or booth["blocked"]:
        return None
    first = await Booking.select(Booking.id).where(
        Booking.fair == fair_id, Booking.status == "waitlisted").order_by(Booking.id).first()
    if first is None:
        return None
    await Booking.update({Booking.status: "confirmed", Booking.booth: booth_id,
                          Booking.confirmed_at: now()}).where(Booking.id == first["id"])
    promoted = await db.fetch("SELECT k.employer, k.code, b.code AS booth FROM booking k "
                              "JOIN booth b ON b.id = k.booth WHERE k.id = {}", first["id"])
    await hooks.happened.notify(hooks.Happening(
        "booking.promoted", fair_id, first["id"],
        {"employer": promoted[0]["employer"], "booth": promoted[0]["booth"],
         "code": promoted[0]["code"]}))
    return first["id"]


async def _fill_from_waitlist(fair_id: int) -> None:
    """After a layout change: free booths go to waitlisted employers, in order."""
    while True:
        free = await _free_booth(fair_id)
        if free is None or await _promote(fair_id, free) is None:
            return


_BOOKING_COLUMNS = (
    Booking.all_columns(),
    Booking.booth.code.as_alias("booth_code"),
    Booking.booth.zone.as_alias("booth_zone"),
    Booking.employer.name.as_alias("employer_name"),
    Booking.fair.title.as_alias("fair_title"),
    Booking.fair.kind.as_alias("fair_kind"),
    Booking.fair.status.as_alias("fair_status"),
    Booking.fair.starts_at.as_alias("fair_starts_at"),
    Booking.fair.ends_at.as_alias("fair_ends_at"),
    Booking.fair.org.path.as_alias("org_path"),
)


async def _waitlist_places(rows: list[dict]) -> None:
    """Each row's waitlist place (`_place_sql`; None unless waitlisted), in one query per 500."""
    for r in rows:
        r["place"] = None
    waiting = {r["id"]: r for r in rows if r["status"] == "waitlisted"}
    ids = sorted(waiting)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ", ".join("{}" for _ in chunk)
        for found in await db.fetch(
                f"SELECT k.id, {_place_sql('k')} AS place FROM booking k "
                f"WHERE k.status = 'waitlisted' AND k.id IN ({marks})", *chunk):
            waiting[found["id"]]["place"] = found["place"]


async def get_booking(booking_id: int, principal: Principal) -> dict:
    row = await Booking.select(*_BOOKING_COLUMNS).where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound(N_("no such booking"), code="unknown_booking")
    if not await _can_touch(principal, row):
        raise Forbidden(N_("this booking belongs to another company"), code="other_company")
    await _waitlist_places([row])
    return row


async def fair_bookings(principal: Principal, fair_id: int,
                        include_cancelled: bool = False) -> list[dict]:
    """Confirmed bookings by booth, then the waitlist in order (then, if asked, cancelled)."""
    await managed_fair(principal, fair_id)
    statuses = ["confirmed", "waitlisted"] + (["cancelled"] if include_cancelled else [])
    rows = await Booking.select(*_BOOKING_COLUMNS).where(
        Booking.fair == fair_id, Booking.status.is_in(statuses)).order_by(Booking.id)
    rank = {"confirmed": 0, "waitlisted": 1, "cancelled": 2}
    rows.sort(key=lambda r: (rank[r["status"]], r["booth_code"] or "" if r["status"] ==
                             "confirmed" else "", r["id"]))
    await _waitlist_places(rows)
    return rows


async def my_bookings(principal: Principal) -> list[dict]:
    employer = await employers.employer_for(principal)
    rows = await Booking.select(*_BOOKING_COLUMNS).where(
        Booking.employer == employer["id"], Booking.status.is_in(list(ACTIVE))
    ).order_by(Booking.fair.starts_at)
    await _waitlist_places(rows)
    return rows


async def cancel_booking(principal: Principal, booking_id: int) -> dict:
    """Cancel a booking (its employer or an organiser). A confirmed booth goes to the first
    waitlisted employer in the same transaction. An employer cancelling a confirmed booth
    after the free-cancel deadline gets a no-show record."""
    row = await get_booking(booking_id, principal)
    rules = await get_rules()
    by_employer = not principal.is_organiser
    at = now()
    late = by_employer and at >= free_cancel_deadline(row["fair_starts_at"],
                                                      rules["free_cancel_workdays"])
    promoted = None
    async with db.write_transaction():
        await _lock_fair(row["fair"])
        current = await Booking.select(Booking.status, Booking.booth).where(
            Booking.id == booking_id).first()
        if current["status"] == "cancelled":
            return {"cancelled": False, "promoted": None}
        await Booking.update({Booking.status: "cancelled", Booking.cancelled_at: at,
                              Booking.cancelled_by: principal.id}).where(
            Booking.id == booking_id)
        if current["status"] == "confirmed":
            if late:
                await NoShow.insert(NoShow(employer=row["employer"], fair=row["fair"],
                                           booking=booking_id, reason="late_cancel",
                                           occurred_at=at)).on_conflict(action="DO NOTHING")
            if current["booth"]:
                promoted = await _promote(row["fair"], current["booth"])
        await hooks.happened.notify(hooks.Happening(
            "booking.cancelled", row["fair"], booking_id, {"employer": row["employer"]}))
    return {"cancelled": True, "promoted": promoted, "late": late}


# --- the door: a booking's code -------------------------------------------------------------


async def resolve_code(code: str) -> DoorCode | None:
    """fairs.hooks.door_codes: a confirmed booking's code admits its employer once."""
    if not looks_like_code(code):
        return None
    code = code.strip().upper()
    row = await Booking.select(
        Booking.id, Booking.fair, Booking.status, Booking.employer,
        Booking.employer.name.as_alias("employer_name"), Booking.booth.code.as_alias("booth"),
    ).where(Booking.code == code).first()
    if row is None or row["status"] == "waitlisted":
        return None
    booking_id = row["id"]

    async def admit(at: datetime) -> tuple[bool, datetime]:
        return await admit_booking(booking_id, at)

    return DoorCode(
        kind="employer", fair_id=row["fair"], cancelled=row["status"] == "cancelled",
        label=f"{row['employer_name']} · {row['booth'] or ''}".strip(" ·"), admit=admit,
        employer_id=row["employer"], employer_name=row["employer_name"], booth=row["booth"],
    )


async def admit_booking(booking_id: int, at: datetime) -> tuple[bool, datetime]:
    """Mark the employer present once: (counted now?, first check-in time). Clears an absence
    recorded before a late (or offline-synced) scan arrived."""
    at = at if at.tzinfo else at.replace(tzinfo=TZ)
    async with db.write_transaction():
        rows = await Booking.update({Booking.checked_in_at: at.astimezone(UTC)}).where(
            Booking.id == booking_id, Booking.checked_in_at.is_null(),
            Booking.status == "confirmed").returning(Booking.checked_in_at)
        if rows:
            await NoShow.delete().where(NoShow.booking == booking_id,
                                        NoShow.reason == "absent")
            return True, rows[0]["checked_in_at"]
        first = await Booking.select(Booking.checked_in_at).where(
            Booking.id == booking_id).first()
    return False, (first or {}).get("checked_in_at") or at
