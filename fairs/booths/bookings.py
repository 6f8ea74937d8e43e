"""Booth bookings, the waitlist and the door codes of bookings.

The races are the database's to settle (DESIGN.md §2): a partial unique index allows one
confirmed booking per booth, another one active (confirmed or waitlisted) booking per employer
and fair; guest slots the same. A booking is one INSERT; the loser of a race gets the unique
violation and a 409. "Any free booth" picks a booth (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so
concurrent callers pick different booths) and retries when another caller won it. Waitlist
inserts and cancellations of one fair are serialised (PostgreSQL: a lock on the fair row;
SQLite: every write is), so a freed booth goes to the first waitlisted employer in the same
transaction and a booth is never left free while someone waits.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from time import monotonic

from fairs import db
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.employers.ledger import _ABSENT_WHERE, ensure_not_suspended, get_rules
from fairs.employers.tables import NoShow
from fairs.errors import FieldError, Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.hooks import DoorCode
from fairs.i18n import TZ

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


def _free_booth_sql() -> str:
    """The one rule for a free booth of fair `{}`: not blocked, held by no confirmed booking, the
    first by code. On PostgreSQL it is locked for its taker, and booths that concurrent bookings
    are taking right now are skipped (the partial unique index settles any race that is left)."""
    lock = db.dialect.skip_locked("b")
    return ("SELECT b.id, b.code FROM booth b WHERE b.fair = {} AND NOT b.blocked AND NOT EXISTS "
            "(SELECT 1 FROM booking k WHERE k.booth = b.id AND k.status = 'confirmed') "
            f"ORDER BY b.code LIMIT 1{lock}")


def _book_free_sql(waitlist: bool) -> str:
    """One statement that books the free booth of fair `{}` for employer `{}` (code, created_at,
    confirmed_at follow): with `waitlist`, a waitlist place when there is none, else no row.
    Returns id, booth, status, booth_code and, on PostgreSQL, the waitlist place."""
    pg = not db.is_sqlite()
    confirmed_at = "{}::timestamptz" if pg else "{}"
    source = "(SELECT 1) AS one LEFT JOIN free ON 1 = 1" if waitlist else "free"
    insert = (
        "INSERT INTO booking (fair, employer, booth, status, code, created_at, confirmed_at) "
        "SELECT {}, {}, free.id, CASE WHEN free.id IS NULL THEN 'waitlisted' ELSE 'confirmed' "
        f"END, {{}}, {{}}, CASE WHEN free.id IS NULL THEN NULL ELSE {confirmed_at} END "
        f"FROM {source} RETURNING id, booth, status")
    if not pg:  # SQLite has no data-modifying CTE; the booth code is looked up after
        return f"WITH free AS ({_free_booth_sql()}) {insert}"
    return (
        f"WITH free AS ({_free_booth_sql()}), made AS ({insert}) "
        "SELECT made.id, made.booth, made.status, free.code AS booth_code, "
        "CASE WHEN made.status = 'waitlisted' THEN 1 + (SELECT COUNT(*) FROM booking w "
        "WHERE w.fair = {} AND w.status = 'waitlisted' AND w.id < made.id) END AS place "
        "FROM made LEFT JOIN free ON free.id = made.booth")


async def _book_free(fair_id: int, employer_id: int, waitlist: bool) -> dict | None:
    at, code = now(), new_code()
    args = [fair_id, fair_id, employer_id, code, at, at]
    if not db.is_sqlite():
        args.append(fair_id)
    rows = await db.write(_book_free_sql(waitlist), *args)
    if not rows:
        return None
    row = rows[0]
    return {"id": row["id"], "status": row["status"], "code": code, "created_at": at,
            "booth": row["booth"], "booth_code": row.get("booth_code"),
            "place": row.get("place")}


async def _free_booth(fair_id: int) -> int | None:
    rows = await db.fetch(_free_booth_sql(), fair_id)
    return rows[0]["id"] if rows else None


_BOOKING_CONTEXT = (
    "SELECT e.id AS employer_id, e.status AS employer_status, "
    "(SELECT COUNT(*) FROM no_show WHERE employer = e.id AND annulled_at IS NULL) AS n, "
    "(SELECT COUNT(*) FROM booking k JOIN fair f ON f.id = k.fair WHERE k.employer = e.id "
    f"AND {_ABSENT_WHERE}) AS due, "
    "fr.id, fr.kind, fr.status, fr.starts_at, fr.published_at, fr.booking_opens_at, "
    "fr.booking_closes_at, o.path AS org_path "
    "FROM (SELECT 1 AS one) AS one "
    "LEFT JOIN (employer_member m JOIN employer e ON e.id = m.employer) ON m.user = {} "
    "LEFT JOIN (fair fr JOIN organisation o ON o.id = fr.org) ON fr.id = {}"
)


async def _booking_context(principal: Principal | None, fair_id: int) -> tuple[int, bool, dict]:
    """The hot path of a booking rush, in one raw query: the caller's employer id, if approved
    (403 otherwise), whether its standing needs the full suspension check (any no-show on
    record, or an absence not yet recorded), and the few fields of the fair booking needs (404
    when the caller may not see it)."""
    if principal is None or principal.role != "employer":
        raise Forbidden("employers only")
    rows = await db.fetch(_BOOKING_CONTEXT, now(), principal.id, fair_id)
    row = rows[0]
    if row["employer_id"] is None:
        raise Forbidden("this account belongs to no employer")
    if row["employer_status"] != "approved":
        raise Forbidden("only approved employers can book; this one is "
                        + row["employer_status"])
    if row["id"] is None or not events.can_see(principal, row):
        raise NotFound("no such fair")
    for key in ("starts_at", "published_at", "booking_opens_at", "booking_closes_at"):
        row[key] = db.as_datetime(row[key])
    return row["employer_id"], bool(row["n"] or row["due"]), row


async def _insert_booking(fair_id: int, employer_id: int, booth_id: int | None) -> dict:
    at = now()
    status = "confirmed" if booth_id else "waitlisted"
    code = new_code()
    rows = await db.execute(
        "INSERT INTO booking (fair, employer, booth, status, code, created_at, confirmed_at) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id", fair_id, employer_id, booth_id,
        status, code, at, at if booth_id else None)
    return {"id": rows[0]["id"], "status": status, "code": code, "created_at": at}


# Fairs this process found full a moment ago (fair id -> time.monotonic()): the next employer
# goes straight to the waitlist transaction, which looks for a free booth again under the
# fair's lock, instead of first scanning every booth in vain. A hint only: both ways are right.
_FULL_HINT_SECONDS = 2.0
_full_since: dict[int, float] = {}


async def _book_any_pg(fair_id: int, employer_id: int) -> dict:
    """PostgreSQL, any booth: the first free one in one statement; when the fair is full, the
    waitlist, in a transaction holding the fair's lock, so that it never overlaps a
    cancellation (which promotes the first waitlisted employer), a booth freed a moment ago is
    taken instead, and employers joining at the same instant queue one after another: each
    statement then counts every earlier waiter, and the place it answers is the place stored
    (under a shared lock their snapshots missed each other: [1, 2, 2, 2, 2, 2])."""
    full_at = _full_since.get(fair_id)
    if full_at is None or monotonic() - full_at > _FULL_HINT_SECONDS:
        made = await _book_free(fair_id, employer_id, waitlist=False)
        if made is not None:
            return made
        _full_since[fair_id] = monotonic()
    async with db.write_transaction():
        await _lock_fair(fair_id)
        made = await _book_free(fair_id, employer_id, waitlist=True)
    if made["booth"] is not None:
        _full_since.pop(fair_id, None)
    return made


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

    The hot path of a booking rush, so it reads with a few raw queries and writes one row."""
    employer_id, flagged, fair = await _booking_context(principal, fair_id)
    if fair["kind"] != "offline":
        raise Invalid("booth", "online fairs have guest slots, not booths")
    check_open(fair)
    if flagged:
        await ensure_not_suspended(employer_id)
    code = (booth_code or "").strip().upper() or None
    booth_id = None
    if code:
        booth = await db.fetch("SELECT id, blocked FROM booth WHERE fair = {} AND code = {}",
                             fair_id, code)
        if not booth:
            raise NotFound(f"no booth {code} at this fair", errors=[FieldError("booth", code)])
        if booth[0]["blocked"]:
            raise _conflict("booth", f"booth {code} is not available")
        booth_id = booth[0]["id"]
    for _attempt in range(MAX_RETRIES):
        try:
            chosen = booth_id
            if code:  # one statement, atomic on its own
                made = await _insert_booking(fair_id, employer_id, booth_id)
            elif db.is_sqlite():  # one writer at a time: the free booth, else the waitlist
                made = await _book_free(fair_id, employer_id, waitlist=True)
                chosen = made["booth"]
            else:
                made = await _book_any_pg(fair_id, employer_id)
                chosen = made["booth"]
            break
        except Exception as exc:
            which = _map_booking_violation(exc)
            if which == "employer":  # a waitlist place counts too
                raise _conflict("booth", "your company already holds a booking at this fair"
                                ) from exc
            if which == "booth" and code:
                raise _conflict("booth", f"booth {code} is taken") from exc
            if which in ("booth", "code"):
                continue  # another employer won that booth a moment ago: pick again
            raise
    else:
        raise _conflict("booth", "too many employers are booking at once; try again")
    row = {"id": made["id"], "fair": fair_id, "employer": employer_id, "status": made["status"],
           "code": made["code"], "created_at": made["created_at"], "checked_in_at": None,
           "booth_code": code, "place": None}
    if made.get("booth_code"):
        row["booth_code"] = made["booth_code"]
    elif made["status"] == "confirmed" and not code:
        found = await db.fetch("SELECT code FROM booth WHERE id = {}", chosen)
        row["booth_code"] = found[0]["code"]
    if made["status"] == "waitlisted" and made.get("place"):
        row["place"] = made["place"]
    elif made["status"] == "waitlisted":
        place = await db.fetch("SELECT COUNT(*) AS n FROM booking WHERE fair = {} "
                               "AND status = 'waitlisted' AND id <= {}", fair_id, made["id"])
        row["place"] = place[0]["n"]
    return row


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
    waiting = [r for r in rows if r["status"] == "waitlisted"]
    for r in rows:
        r["place"] = None
    if not waiting:
        return
    fair_ids = sorted({r["fair"] for r in waiting})
    marks = ", ".join("{}" for _ in fair_ids)
    ids = await db.fetch(
        f"SELECT id, fair FROM booking WHERE status = 'waitlisted' AND fair IN ({marks}) "
        "ORDER BY fair, id", *fair_ids)
    order: dict[int, int] = {}
    counter: dict[int, int] = defaultdict(int)
    for r in ids:
        counter[r["fair"]] += 1
        order[r["id"]] = counter[r["fair"]]
    for r in waiting:
        r["place"] = order.get(r["id"])


async def get_booking(booking_id: int, principal: Principal) -> dict:
    row = await Booking.select(*_BOOKING_COLUMNS).where(Booking.id == booking_id).first()
    if row is None:
        raise NotFound("no such booking")
    if not await _can_touch(principal, row):
        raise Forbidden("this booking belongs to another company")
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
