"""Booth layouts, bookings and the waitlist, guest slots, positions, and the no-show ledger.

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
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic
from typing import Any

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.audit import services as audit
from fairs.employers import services as employers
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.events.tables import Fair
from fairs.hooks import DoorCode
from fairs.i18n import N_, TZ
from fairs.measures import ACTIVE_POSITION
from fairs.measures import held as held_fair

from .codes import looks_like_code, new_code
from .tables import (
    Booking,
    BookingRules,
    Booth,
    GuestSlot,
    Interest,
    NoShow,
    Position,
    SlotBooking,
)

ACTIVE = ("confirmed", "waitlisted")
JOB_TYPES = ("regular", "traineeship", "practical", "gig")  # 常规 见习 实训 零工
JOB_TYPE_ZH = {"常规": "regular", "见习": "traineeship", "实训": "practical", "零工": "gig"}
EDUCATION = ("any", "junior", "senior", "college", "bachelor", "master", "doctor")
EXPERIENCE = ("any", "none", "1-3", "3-5", "5-10", "10+")
MAX_RETRIES = 20


now = clock.now  # the one clock (tests set it)


def _conflict(field: str, message: str, **extra) -> Conflict:
    return Conflict(message, errors=[FieldError(field, message)], extra=extra or None)


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
        raise NotFound("no such fair")
    return row


async def managed_fair(principal: Principal, fair_id: int) -> dict:
    row = await fair_row(fair_id, principal)
    if not principal.is_organiser or not accounts.in_subtree(principal, row["org_path"]):
        raise Forbidden("this fair belongs to another organisation")
    return row


def booking_window(fair: dict) -> tuple[datetime | None, datetime]:
    """From publication (or booking_opens_at) until the start (or booking_closes_at)."""
    return (fair["booking_opens_at"] or fair["published_at"],
            fair["booking_closes_at"] or fair["starts_at"])


def check_open(fair: dict, at: datetime | None = None) -> None:
    at = at or now()
    if fair["status"] == "cancelled":
        raise _conflict("fair", "the fair is cancelled")
    if fair["status"] != "published":
        raise _conflict("fair", "the fair is not published yet")
    opens, closes = booking_window(fair)
    if opens is not None and at < opens:
        raise _conflict("fair", f"booking opens at {events.iso(opens)}")
    if at >= closes:
        raise _conflict("fair", f"booking closed at {events.iso(closes)}")


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


async def _lock_fair(fair_id: int, shared: bool = False) -> None:
    """Serialise waitlist changes of one fair. SQLite's IMMEDIATE transaction already serialises
    every writer; PostgreSQL locks the fair row: cancellations and layout changes exclusively
    (NO KEY UPDATE, which bookings' foreign-key checks, taking KEY SHARE, do not wait for),
    employers joining the waitlist shared (FOR SHARE: they do not wait for each other, but
    never overlap a cancellation, so a freed booth is never missed)."""
    await db.dialect.lock_row("fair", fair_id, "SHARE" if shared else "NO KEY UPDATE")


# --- booking rules and the no-show ledger ---------------------------------------------------

DEFAULT_RULES = {"free_cancel_workdays": 1, "no_show_limit": 2, "window_days": 365,
                 "suspension_days": 90}


async def get_rules() -> dict:
    row = await BookingRules.select().order_by(BookingRules.id).first()
    if row is None:
        return dict(DEFAULT_RULES)
    return {k: row[k] for k in DEFAULT_RULES}


async def set_rules(principal: Principal, changes: dict[str, int]) -> dict:
    """The city-wide booking rules: an admin's to change (a district's or street's organiser
    reads them), each change audited with the values before and after."""
    if not principal.is_admin:
        raise Forbidden("only an administrator changes the city-wide booking rules")
    limits = {"free_cancel_workdays": (0, 30), "no_show_limit": (1, 100),
              "window_days": (1, 3650), "suspension_days": (0, 3650)}
    values = {}
    for key, value in changes.items():
        if key not in limits or value is None:
            continue
        low, high = limits[key]
        if not isinstance(value, int) or not low <= value <= high:
            raise Invalid(key, f"a whole number from {low} to {high}")
        values[key] = value
    async with db.write_transaction():
        row = await BookingRules.select().order_by(BookingRules.id).first()
        before = {k: row[k] for k in DEFAULT_RULES} if row else dict(DEFAULT_RULES)
        if row is None:
            rows = await BookingRules.insert(BookingRules(**{**DEFAULT_RULES, **values})
                                             ).returning(BookingRules.id)
            row = rows[0]
        elif values:
            await BookingRules.update({getattr(BookingRules, k): v for k, v in values.items()}
                                      | {BookingRules.updated_at: now()}).where(
                BookingRules.id == row["id"])
        changed = {k: v for k, v in values.items() if before[k] != v}
        if changed:
            await audit.record(principal, "booking_rules.update", "booking_rules", row["id"],
                               before={k: before[k] for k in changed}, after=changed)
    return await get_rules()


# A confirmed booth nobody checked in at, of a held fair (the read model's definition).
_ABSENT_WHERE = f"""
    k.status = 'confirmed' AND k.checked_in_at IS NULL AND k.booth IS NOT NULL
    AND {held_fair('f')}
    AND NOT EXISTS (SELECT 1 FROM no_show n WHERE n.booking = k.id)
"""


async def record_absences(employer_id: int | None = None) -> int:
    """Write a no-show for every confirmed booth of an ended fair that nobody checked in at.
    Idempotent (one record per booking, by a unique index); cheap to call when nothing is due."""
    at = now()
    extra, args = ("AND k.employer = {}", [employer_id]) if employer_id else ("", [])
    due = await db.fetch(
        f"SELECT COUNT(*) AS n FROM booking k JOIN fair f ON f.id = k.fair "
        f"WHERE {_ABSENT_WHERE} {extra}", at, *args)
    if not due or not due[0]["n"]:
        return 0
    async with db.write_transaction():
        await db.execute(
            "INSERT INTO no_show (employer, fair, booking, reason, occurred_at, note, created_at) "
            "SELECT k.employer, k.fair, k.id, 'absent', f.ends_at, '', {} "
            f"FROM booking k JOIN fair f ON f.id = k.fair WHERE {_ABSENT_WHERE} {extra} "
            "ON CONFLICT DO NOTHING", at, at, *args)
    return due[0]["n"]


async def suspended_until(employer_id: int, at: datetime | None = None) -> datetime | None:
    """N no-shows (not annulled) within `window_days` suspend booking for `suspension_days`
    from the N-th; annulling a record lifts what it caused."""
    at = at or now()
    rules = await get_rules()
    limit, window = rules["no_show_limit"], timedelta(days=rules["window_days"])
    since = at - window - timedelta(days=rules["suspension_days"])
    rows = await NoShow.select(NoShow.occurred_at).where(
        NoShow.employer == employer_id, NoShow.annulled_at.is_null(),
        NoShow.occurred_at > since).order_by(NoShow.occurred_at)
    times = [r["occurred_at"] for r in rows]
    until = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= window:
            candidate = times[i] + timedelta(days=rules["suspension_days"])
            until = candidate if until is None or candidate > until else until
    return until if until is not None and until > at else None


async def ensure_not_suspended(employer_id: int) -> None:
    await record_absences(employer_id)
    until = await suspended_until(employer_id)
    if until is not None:
        raise Forbidden(f"booking is suspended until {events.iso(until)} after repeated "
                        "no-shows", extra={"suspended_until": events.iso(until)})


async def list_no_shows(principal: Principal, employer_id: int | None = None,
                        include_annulled: bool = True) -> list[dict]:
    if employer_id is None or principal.role != "employer":
        if not principal.is_organiser:
            raise Forbidden("organisers only")
        await record_absences()
    elif not await employers.can_view(principal, employer_id):
        raise Forbidden("not your company")
    query = NoShow.select(
        NoShow.all_columns(), NoShow.employer.name.as_alias("employer_name"),
        NoShow.fair.title.as_alias("fair_title"), NoShow.fair.starts_at.as_alias("fair_starts_at"),
        NoShow.booking.booth.code.as_alias("booth_code"),
    ).order_by(NoShow.occurred_at, ascending=False).order_by(NoShow.id, ascending=False)
    if employer_id is not None:
        query = query.where(NoShow.employer == employer_id)
    if not include_annulled:
        query = query.where(NoShow.annulled_at.is_null())
    return await query


async def _ensure_over_no_show(principal: Principal, no_show_id: int) -> None:
    """The ledger is read city-wide (a suspension counts everywhere), but a record is annulled
    or explained only by the organisers over the fair where it happened."""
    if not principal.is_organiser:
        raise Forbidden("organisers only")
    rows = await db.fetch(
        "SELECT o.path FROM no_show n JOIN fair f ON f.id = n.fair "
        "JOIN organisation o ON o.id = f.org WHERE n.id = {}", no_show_id)
    if not rows:
        raise NotFound("no such record")
    if not accounts.in_subtree(principal, rows[0]["path"]):
        raise Forbidden("this record belongs to another organisation's fair")


async def annul_no_show(principal: Principal, no_show_id: int, note: str) -> dict:
    await _ensure_over_no_show(principal, no_show_id)
    note = (note or "").strip()
    if not note:
        raise Invalid("note", "say why the record is annulled")
    rows = await NoShow.update({NoShow.annulled_at: now(), NoShow.annulled_by: principal.id,
                                NoShow.note: note[:2000]}).where(
        NoShow.id == no_show_id).returning(NoShow.id)
    if not rows:
        raise NotFound("no such record")
    return await NoShow.select().where(NoShow.id == no_show_id).first()


async def explain_no_show(principal: Principal, no_show_id: int, note: str) -> dict:
    """An organiser's note on a record that stays in force."""
    await _ensure_over_no_show(principal, no_show_id)
    rows = await NoShow.update({NoShow.note: (note or "").strip()[:2000]}).where(
        NoShow.id == no_show_id).returning(NoShow.id)
    if not rows:
        raise NotFound("no such record")
    return await NoShow.select().where(NoShow.id == no_show_id).first()


async def employer_standing(employer_id: int) -> dict:
    await record_absences(employer_id)
    rules = await get_rules()
    since = now() - timedelta(days=rules["window_days"])
    rows = await db.fetch(
        "SELECT COUNT(*) AS n FROM no_show WHERE employer = {} AND annulled_at IS NULL "
        "AND occurred_at > {}", employer_id, since)
    return {"no_shows": rows[0]["n"] if rows else 0, "limit": rules["no_show_limit"],
            "suspended_until": await suspended_until(employer_id)}


# --- layouts ----------------------------------------------------------------------------------


def _booth_in(item: dict, i: int) -> dict:
    code = str(item.get("code") or "").strip().upper()
    if not code or len(code) > 16:
        raise Invalid(f"booths[{i}].code", "1 to 16 characters")
    out = {"code": code, "zone": str(item.get("zone") or "").strip()[:32]}
    for key, default, low in (("x", i % 10, 0), ("y", i // 10, 0), ("w", 1, 1), ("h", 1, 1)):
        value = item.get(key)
        value = default if value is None else value
        if not isinstance(value, int) or not low <= value <= 200:
            raise Invalid(f"booths[{i}].{key}", f"a whole number from {low} to 200")
        out[key] = value
    out["step_free"] = bool(item.get("step_free", False))
    out["blocked"] = bool(item.get("blocked", False))
    return out


async def set_layout(principal: Principal, fair_id: int, booths: list[dict]) -> list[dict]:
    """Replace a fair's layout: booths matched by code are changed, new ones added, missing
    ones removed (409 when a removed booth is booked). Waitlisted employers get booths that
    become free."""
    fair = await managed_fair(principal, fair_id)
    if fair["kind"] != "offline":
        raise Invalid("booths", "only offline fairs have booths; online fairs have guest slots")
    if fair["status"] == "cancelled":
        raise _conflict("fair", "the fair is cancelled")
    if len(booths) > 2000:
        raise Invalid("booths", "at most 2000 booths")
    wanted = [_booth_in(item, i) for i, item in enumerate(booths)]
    codes = [b["code"] for b in wanted]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise Invalid("booths", f"booth codes must be unique within the fair: {', '.join(dupes)}")
    async with db.write_transaction():
        await _lock_fair(fair_id)
        existing = {r["code"]: r for r in await Booth.select(Booth.id, Booth.code).where(
            Booth.fair == fair_id)}
        gone = [r["id"] for c, r in existing.items() if c not in set(codes)]
        if gone:
            booked = await Booking.select(Booking.booth.code.as_alias("code")).where(
                Booking.booth.is_in(gone), Booking.status == "confirmed")
            if booked:
                names = ", ".join(sorted(r["code"] for r in booked))
                raise _conflict("booths", f"booked booths cannot be removed: {names}")
            await Booking.update({Booking.booth: None}).where(Booking.booth.is_in(gone))
            await Booth.delete().where(Booth.id.is_in(gone))
        new = []
        for b in wanted:
            if b["code"] in existing:
                await Booth.update({getattr(Booth, k): v for k, v in b.items() if k != "code"}
                                   ).where(Booth.id == existing[b["code"]]["id"])
            else:
                new.append(Booth(fair=fair_id, **b))
        if new:
            await Booth.insert(*new)
        await _fill_from_waitlist(fair_id)
    return await list_booths(fair_id, principal)


async def copy_layout(principal: Principal, fair_id: int, source_fair_id: int) -> list[dict]:
    """Copy another fair's layout at the same venue (the source's bookings are not copied)."""
    fair = await managed_fair(principal, fair_id)
    source = await fair_row(source_fair_id, principal)
    if source["kind"] != "offline" or source["venue"] != fair["venue"]:
        raise Invalid("from", "copy only from another fair at the same venue")
    rows = await Booth.select(Booth.code, Booth.zone, Booth.x, Booth.y, Booth.w, Booth.h,
                              Booth.step_free, Booth.blocked).where(
        Booth.fair == source_fair_id).order_by(Booth.id)
    if not rows:
        raise Invalid("from", "that fair has no layout")
    return await set_layout(principal, fair_id, rows)


async def layout_sources(fair: dict, principal: Principal | None = None) -> list[dict]:
    """Other fairs at the same venue that have a layout, as far as the caller may see them
    (another organisation's drafts are neither listed nor named)."""
    if not fair.get("venue"):
        return []
    rows = await db.fetch(
        "SELECT f.id, f.title, f.starts_at, f.status, o.path AS org_path, COUNT(b.id) AS booths "
        "FROM fair f JOIN organisation o ON o.id = f.org JOIN booth b ON b.fair = f.id "
        "WHERE f.venue = {} AND f.id <> {} "
        "GROUP BY f.id, f.title, f.starts_at, f.status, o.path ORDER BY f.starts_at DESC",
        fair["venue"], fair["id"])
    return [r for r in rows if events.can_see(principal, r)]


async def list_booths(fair_id: int, principal: Principal | None = None) -> list[dict]:
    await fair_row(fair_id, principal)
    rows = await db.fetch(
        "SELECT b.id, b.code, b.zone, b.x, b.y, b.w, b.h, b.step_free, b.blocked, "
        "k.id AS booking, k.employer AS employer, e.name AS employer_name "
        "FROM booth b LEFT JOIN booking k ON k.booth = b.id AND k.status = 'confirmed' "
        "LEFT JOIN employer e ON e.id = k.employer WHERE b.fair = {} ORDER BY b.code", fair_id)
    for r in rows:
        r["step_free"] = bool(r["step_free"])
        r["blocked"] = bool(r["blocked"])
        r["status"] = "blocked" if r["blocked"] else ("booked" if r["booking"] else "free")
    return rows


async def booth_counts(fair_id: int) -> dict:
    rows = await db.fetch(
        "SELECT COUNT(*) AS total, "
        "SUM(CASE WHEN b.blocked THEN 1 ELSE 0 END) AS blocked, "
        "SUM(CASE WHEN k.id IS NOT NULL THEN 1 ELSE 0 END) AS booked "
        "FROM booth b LEFT JOIN booking k ON k.booth = b.id AND k.status = 'confirmed' "
        "WHERE b.fair = {}", fair_id)
    r = rows[0]
    total, blocked, booked = r["total"] or 0, r["blocked"] or 0, r["booked"] or 0
    waiting = await db.fetch("SELECT COUNT(*) AS n FROM booking WHERE fair = {} "
                             "AND status = 'waitlisted'", fair_id)
    return {"total": total, "blocked": blocked, "booked": booked,
            "free": max(0, total - blocked - booked), "waitlisted": waiting[0]["n"]}


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
    waitlist, in a transaction holding the fair FOR SHARE so that it never overlaps a
    cancellation (which promotes the first waitlisted employer), and a booth freed a moment ago
    is taken instead."""
    full_at = _full_since.get(fair_id)
    if full_at is None or monotonic() - full_at > _FULL_HINT_SECONDS:
        made = await _book_free(fair_id, employer_id, waitlist=False)
        if made is not None:
            return made
        _full_since[fair_id] = monotonic()
    async with db.write_transaction():
        await _lock_fair(fair_id, shared=True)
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


async def _can_touch(principal: Principal, row: dict) -> bool:
    if principal.is_organiser:
        return accounts.in_subtree(principal, row["org_path"])
    return principal.role == "employer" and (
        await employers.employer_id_of(principal.id) == row["employer"])


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


# --- guest slots (online fairs) -------------------------------------------------------------


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


async def add_slots(principal: Principal, fair_id: int, slots: list[dict]) -> list[dict]:
    """Add guest slots to an online session: inside the session's times, never overlapping each
    other or the slots already there (409 naming the clash). All or nothing."""
    fair = await managed_fair(principal, fair_id)
    if fair["kind"] != "online":
        raise Invalid("slots", "only online fairs have guest slots")
    if fair["status"] == "cancelled":
        raise _conflict("fair", "the fair is cancelled")
    if not slots or len(slots) > 200:
        raise Invalid("slots", "1 to 200 slots")
    wanted = []
    for i, s in enumerate(slots):
        start = events.aware(s["starts_at"], "starts_at")
        end = events.aware(s["ends_at"], "ends_at")
        if end <= start:
            raise Invalid(f"slots[{i}].ends_at", "must be after starts_at")
        if start < fair["starts_at"] or end > fair["ends_at"]:
            raise Invalid(f"slots[{i}].starts_at", "a slot lies inside the session's times")
        wanted.append((start, end, str(s.get("label") or "").strip()[:200]))
    wanted.sort()
    for (s1, e1, _), (s2, e2, _) in zip(wanted, wanted[1:], strict=False):
        if _overlaps(s1, e1, s2, e2):
            raise _conflict("slots", f"slots overlap at {events.iso(s2)}")
    async with db.write_transaction():
        await _lock_fair(fair_id)
        existing = await GuestSlot.select(GuestSlot.id, GuestSlot.starts_at,
                                          GuestSlot.ends_at).where(GuestSlot.fair == fair_id)
        for s, e, _ in wanted:
            for r in existing:
                if _overlaps(s, e, r["starts_at"], r["ends_at"]):
                    raise _conflict("slots", f"a slot overlaps the slot at "
                                    f"{events.iso(r['starts_at'])}", conflicting_slot=r["id"])
        await GuestSlot.insert(*[GuestSlot(fair=fair_id, starts_at=s, ends_at=e, label=label)
                                 for s, e, label in wanted])
    return await list_slots(fair_id, principal)


def split_session(starts_at: datetime, ends_at: datetime, minutes: int,
                  gap: int = 0) -> list[dict]:
    """Pure: cut [starts_at, ends_at) into back-to-back slots of `minutes` (plus a gap)."""
    if not 5 <= minutes <= 240:
        raise Invalid("minutes", "5 to 240")
    out, t = [], starts_at
    while t + timedelta(minutes=minutes) <= ends_at:
        out.append({"starts_at": t, "ends_at": t + timedelta(minutes=minutes)})
        t += timedelta(minutes=minutes + gap)
    return out


async def delete_slot(principal: Principal, slot_id: int) -> None:
    slot = await GuestSlot.select(GuestSlot.fair).where(GuestSlot.id == slot_id).first()
    if slot is None:
        raise NotFound("no such slot")
    await managed_fair(principal, slot["fair"])
    async with db.write_transaction():
        taken = await SlotBooking.count().where(SlotBooking.slot == slot_id,
                                                SlotBooking.status == "confirmed")
        if taken:
            raise _conflict("slot", "this slot is booked; cancel the booking first")
        await SlotBooking.delete().where(SlotBooking.slot == slot_id)
        await GuestSlot.delete().where(GuestSlot.id == slot_id)


async def list_slots(fair_id: int, principal: Principal | None = None) -> list[dict]:
    await fair_row(fair_id, principal)
    rows = await db.fetch(
        "SELECT s.id, s.fair, s.starts_at, s.ends_at, s.label, k.id AS booking, "
        "k.employer AS employer, e.name AS employer_name, k.topic AS topic "
        "FROM guest_slot s LEFT JOIN slot_booking k ON k.slot = s.id AND k.status = 'confirmed' "
        "LEFT JOIN employer e ON e.id = k.employer WHERE s.fair = {} ORDER BY s.starts_at",
        fair_id)
    for r in rows:
        r["starts_at"], r["ends_at"] = db.as_datetime(r["starts_at"]), db.as_datetime(r["ends_at"])
        r["status"] = "booked" if r["booking"] else "free"
    return rows


async def book_slot(principal: Principal, slot_id: int, topic: str = "") -> dict:
    employer = await employers.approved_employer_for(principal)
    slot = await GuestSlot.select(GuestSlot.id, GuestSlot.fair).where(
        GuestSlot.id == slot_id).first()
    if slot is None:
        raise NotFound("no such slot")
    fair = await fair_row(slot["fair"], principal)
    check_open(fair)
    await ensure_not_suspended(employer["id"])
    try:
        async with db.write_transaction():
            rows = await SlotBooking.insert(SlotBooking(
                slot=slot_id, fair=slot["fair"], employer=employer["id"], status="confirmed",
                topic=(topic or "").strip()[:300],
            )).returning(SlotBooking.id)
    except Exception as exc:
        if db.is_unique_violation(exc, "slot_booking_employer_active"):
            raise _conflict("slot", "your company already holds a slot in this session") from exc
        if db.is_unique_violation(exc, "slot_booking_slot_active"):
            raise _conflict("slot", "this slot is taken") from exc
        raise
    return await get_slot_booking(rows[0]["id"], principal)


_SLOT_BOOKING_COLUMNS = (
    SlotBooking.all_columns(),
    SlotBooking.slot.starts_at.as_alias("starts_at"),
    SlotBooking.slot.ends_at.as_alias("ends_at"),
    SlotBooking.slot.label.as_alias("label"),
    SlotBooking.employer.name.as_alias("employer_name"),
    SlotBooking.fair.title.as_alias("fair_title"),
    SlotBooking.fair.status.as_alias("fair_status"),
    SlotBooking.fair.org.path.as_alias("org_path"),
)


async def get_slot_booking(slot_booking_id: int, principal: Principal) -> dict:
    row = await SlotBooking.select(*_SLOT_BOOKING_COLUMNS).where(
        SlotBooking.id == slot_booking_id).first()
    if row is None:
        raise NotFound("no such slot booking")
    if not await _can_touch(principal, row):
        raise Forbidden("this booking belongs to another company")
    return row


async def my_slot_bookings(principal: Principal) -> list[dict]:
    employer = await employers.employer_for(principal)
    return await SlotBooking.select(*_SLOT_BOOKING_COLUMNS).where(
        SlotBooking.employer == employer["id"], SlotBooking.status == "confirmed"
    ).order_by(SlotBooking.slot.starts_at)


async def cancel_slot_booking(principal: Principal, slot_booking_id: int) -> None:
    await get_slot_booking(slot_booking_id, principal)
    async with db.write_transaction():
        await SlotBooking.update({SlotBooking.status: "cancelled",
                                  SlotBooking.cancelled_at: now()}).where(
            SlotBooking.id == slot_booking_id, SlotBooking.status == "confirmed")


# --- positions ------------------------------------------------------------------------------


def _position_in(data: dict, partial: bool = False) -> dict:
    out: dict[str, Any] = {}

    def has(key):
        return key in data and data[key] is not None

    if has("title") or not partial:
        title = str(data.get("title") or "").strip()
        if not title or len(title) > 200:
            raise Invalid("title", "1 to 200 characters")
        out["title"] = title
    if has("headcount") or not partial:
        headcount = data.get("headcount")
        if not isinstance(headcount, int) or not 1 <= headcount <= 100_000:
            raise Invalid("headcount", "a whole number from 1")
        out["headcount"] = headcount
    if has("job_type") or not partial:
        job_type = str(data.get("job_type") or "regular").strip()
        job_type = JOB_TYPE_ZH.get(job_type, job_type)
        if job_type not in JOB_TYPES:
            raise Invalid("job_type", f"one of {', '.join(JOB_TYPES)} (常规, 见习, 实训, 零工)")
        out["job_type"] = job_type
    for key, allowed in (("education", EDUCATION), ("experience", EXPERIENCE)):
        if has(key) or not partial:
            value = str(data.get(key) or "any").strip()
            if value not in allowed:
                raise Invalid(key, f"one of {', '.join(allowed)}")
            out[key] = value
    for key in ("salary_min", "salary_max"):
        if has(key) or not partial:
            value = data.get(key) or 0
            if not isinstance(value, int) or not 0 <= value <= 1_000_000:
                raise Invalid(key, "yuan a month, 0 to 1,000,000")
            out[key] = value
    if "salary_min" in out and "salary_max" in out and out["salary_max"] and (
            out["salary_max"] < out["salary_min"]):
        raise Invalid("salary_max", "at least salary_min")
    for key, limit in (("major", 200), ("description", 5000)):
        if has(key) or not partial:
            out[key] = str(data.get(key) or "").strip()[:limit]
    return out


async def add_position(principal: Principal, booking_id: int, data: dict,
                       slot: bool = False) -> dict:
    """A position on the caller's confirmed booking (booth) or slot booking (guest slot)."""
    row = (await get_slot_booking(booking_id, principal) if slot
           else await get_booking(booking_id, principal))
    if principal.role != "employer":
        raise Forbidden("the employer lists its own positions")
    if row["status"] != "confirmed":
        raise _conflict("booking", "positions hang on a confirmed booking")
    values = _position_in(data)
    link = {"slot_booking": booking_id} if slot else {"booking": booking_id}
    rows = await Position.insert(Position(fair=row["fair"], employer=row["employer"], **link,
                                          **values)).returning(Position.id)
    return await get_position(rows[0]["id"])


async def get_position(position_id: int) -> dict:
    rows = await _positions_query("p.id = {}", [position_id])
    if not rows:
        raise NotFound("no such position")
    return rows[0]


async def _own_position(principal: Principal, position_id: int) -> dict:
    row = await Position.select(Position.employer).where(Position.id == position_id).first()
    if row is None:
        raise NotFound("no such position")
    if principal.role != "employer" or await employers.employer_id_of(principal.id) != row[
            "employer"]:
        raise Forbidden("this position belongs to another company")
    return row


async def update_position(principal: Principal, position_id: int, changes: dict) -> dict:
    await _own_position(principal, position_id)
    current = await Position.select().where(Position.id == position_id).first()
    values = _position_in({**current, **{k: v for k, v in changes.items() if v is not None}})
    await Position.update({getattr(Position, k): v for k, v in values.items()}).where(
        Position.id == position_id)
    return await get_position(position_id)


async def delete_position(principal: Principal, position_id: int) -> None:
    await _own_position(principal, position_id)
    await Position.delete().where(Position.id == position_id)


# A position is offered while its booking is confirmed: the read model's definition.
_ACTIVE_POSITION = ACTIVE_POSITION


async def _positions_query(where: str, args: list, limit: int = 500, offset: int = 0,
                           count: bool = False):
    base = ("FROM job_position p JOIN employer e ON e.id = p.employer "
            "LEFT JOIN booking k ON k.id = p.booking LEFT JOIN booth b ON b.id = k.booth "
            f"WHERE {where}")
    if count:
        rows = await db.fetch(f"SELECT COUNT(*) AS n {base}", *args)
        return rows[0]["n"]
    return await db.fetch(
        "SELECT p.id, p.fair, p.employer, p.booking, p.slot_booking, p.title, p.headcount, "
        "p.education, p.experience, p.salary_min, p.salary_max, p.major, p.job_type, "
        "p.description, e.name AS employer_name, e.industry AS industry, b.code AS booth "
        f"{base} ORDER BY e.name, p.id LIMIT {int(limit)} OFFSET {int(offset)}", *args)


async def fair_positions(fair_id: int, principal: Principal | None = None, q: str | None = None,
                         job_type: str | None = None, education: str | None = None,
                         limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """A fair's positions on active bookings ("jobs at this fair"), searchable by title, major,
    description and company."""
    await fair_row(fair_id, principal)
    if not 1 <= limit <= 500:
        raise Invalid("limit", "1 to 500")
    where, args = f"p.fair = {{}} AND {_ACTIVE_POSITION}", [fair_id]
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        where += (" AND (LOWER(p.title) LIKE {} OR LOWER(p.major) LIKE {} "
                  "OR LOWER(p.description) LIKE {} OR LOWER(e.name) LIKE {})")
        args += [like] * 4
    if job_type:
        job_type = JOB_TYPE_ZH.get(job_type, job_type)
        if job_type not in JOB_TYPES:
            raise Invalid("job_type", f"one of {', '.join(JOB_TYPES)}")
        where += " AND p.job_type = {}"
        args.append(job_type)
    if education:
        where += " AND p.education = {}"
        args.append(education)
    total = await _positions_query(where, args, count=True)
    rows = await _positions_query(where, args, limit, offset)
    return rows, total


async def booking_positions(booking_id: int, slot: bool = False) -> list[dict]:
    column = "p.slot_booking" if slot else "p.booking"
    return await _positions_query(f"{column} = {{}}", [booking_id])


# --- counts for other slices ----------------------------------------------------------------


def _marks(ids: list[int]) -> str:
    return ", ".join("{}" for _ in ids)


async def fair_counts(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    """fairs.hooks.fair_counts (booths/hooks.py): booths and guest slots booked, and, from the
    read model (fairs.measures), employers present and positions offered."""
    from fairs import measures

    out = await measures.fair_counts(fair_ids, now())
    for counts in out.values():
        counts["employers_booked"] = 0
    if not fair_ids:
        return out
    marks = _marks(fair_ids)
    for r in await db.fetch(
            "SELECT fair, COUNT(*) AS n FROM booking WHERE status = 'confirmed' "
            f"AND fair IN ({marks}) GROUP BY fair UNION ALL "
            "SELECT fair, COUNT(*) FROM slot_booking WHERE status = 'confirmed' "
            f"AND fair IN ({marks}) GROUP BY fair", *fair_ids, *fair_ids):
        out[r["fair"]]["employers_booked"] += int(r["n"] or 0)
    return out


async def employer_visits(fair_ids: list[int]) -> dict[int, int]:
    """Employer-service visits per fair, from the read model (fairs.measures)."""
    from fairs import measures

    return await measures.visits_by_fair(fair_ids, now())


async def employer_calendar_items(employer_id: int) -> list[dict]:
    """For the calendar slice: the employer's confirmed booths and guest slots, with the fair's
    id, title, start and end (the slot's own times for a guest slot), place, booth code or slot
    label, and status ("confirmed", or "cancelled" when the fair was cancelled)."""
    items = []
    rows = await Booking.select(
        Booking.id, Booking.fair, Booking.fair.title.as_alias("title"),
        Booking.fair.starts_at.as_alias("starts_at"), Booking.fair.ends_at.as_alias("ends_at"),
        Booking.fair.status.as_alias("fair_status"),
        Booking.fair.venue.name.as_alias("venue_name"),
        Booking.fair.venue.address.as_alias("venue_address"),
        Booking.booth.code.as_alias("booth"),
    ).where(Booking.employer == employer_id, Booking.status == "confirmed")
    for r in rows:
        place = " ".join(x for x in (r["venue_name"], r["venue_address"]) if x)
        items.append({
            "kind": "booth", "booking": r["id"], "fair": r["fair"], "title": r["title"],
            "starts_at": r["starts_at"], "ends_at": r["ends_at"], "place": place,
            "label": r["booth"] or "",
            "status": "cancelled" if r["fair_status"] == "cancelled" else "confirmed",
        })
    rows = await SlotBooking.select(
        SlotBooking.id, SlotBooking.fair, SlotBooking.fair.title.as_alias("title"),
        SlotBooking.slot.starts_at.as_alias("starts_at"),
        SlotBooking.slot.ends_at.as_alias("ends_at"), SlotBooking.slot.label.as_alias("label"),
        SlotBooking.fair.status.as_alias("fair_status"),
        SlotBooking.fair.channel.name.as_alias("channel_name"),
        SlotBooking.fair.channel.url.as_alias("channel_url"),
        SlotBooking.fair.stream_url.as_alias("stream_url"),
    ).where(SlotBooking.employer == employer_id, SlotBooking.status == "confirmed")
    for r in rows:
        items.append({
            "kind": "slot", "booking": r["id"], "fair": r["fair"], "title": r["title"],
            "starts_at": r["starts_at"], "ends_at": r["ends_at"],
            "place": " ".join(x for x in (r["channel_name"], r["stream_url"] or r["channel_url"])
                              if x),
            "label": r["label"] or "",
            "status": "cancelled" if r["fair_status"] == "cancelled" else "confirmed",
        })
    items.sort(key=lambda i: (i["starts_at"], i["kind"], i["booking"]))
    return items


async def open_fairs(kind: str | None = None) -> list[dict]:
    """Published fairs whose booking window is open now, soonest first."""
    at = now()
    query = Fair.select(*_FAIR_COLUMNS).where(Fair.status == "published", Fair.starts_at > at)
    if kind:
        query = query.where(Fair.kind == kind)
    rows = await query.order_by(Fair.starts_at).limit(200)
    out = []
    for r in rows:
        opens, closes = booking_window(r)
        if (opens is None or opens <= at) and at < closes:
            out.append(r)
    return out


async def jobs_summaries(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    """For calendar events' jobs line: positions listed and openings offered per fair."""
    out: dict[int, dict[str, int]] = {}
    if not fair_ids:
        return out
    for r in await db.fetch(
            "SELECT p.fair, COUNT(*) AS positions, SUM(p.headcount) AS headcount "
            f"FROM job_position p WHERE p.fair IN ({_marks(fair_ids)}) AND {_ACTIVE_POSITION} "
            "GROUP BY p.fair", *fair_ids):
        out[r["fair"]] = {"positions": int(r["positions"]), "headcount": int(r["headcount"] or 0)}
    return out


async def jobs_stamp() -> str:
    """Changes whenever a position is added, removed or its headcount changes, or a booking
    holding positions is cancelled: the calendar feeds' ETags include it."""
    rows = await db.fetch(
        "SELECT COUNT(*) AS n, COALESCE(SUM(p.headcount), 0) AS h, COALESCE(MAX(p.id), 0) AS m "
        f"FROM job_position p WHERE {_ACTIVE_POSITION}")
    return f"{rows[0]['n']}-{rows[0]['h']}-{rows[0]['m']}"


# --- posters, the employer's page at a fair, attendees' interest in positions ---------------
#
# Each confirmed booth booking (offline fair) and guest-slot booking (online fair) has a
# printable poster whose QR opens the employer's page at that fair. An attendee whose ticket
# is for that fair marks interest in a position there: once per (ticket, position), decided by
# the unique index position_interest_once (INSERT ... ON CONFLICT DO NOTHING).


def employer_page_path(fair_id: int, employer_id: int) -> str:
    return f"/fairs/{fair_id}/employers/{employer_id}"


async def _presence(fair_id: int, employer_id: int) -> dict | None:
    """The employer's confirmed booth (offline) or guest slot (online) at the fair."""
    rows = await db.fetch(
        "SELECT e.id, e.name, e.industry, k.id AS booking, b.code AS booth "
        "FROM employer e JOIN booking k ON k.employer = e.id AND k.fair = {} "
        "AND k.status = 'confirmed' LEFT JOIN booth b ON b.id = k.booth WHERE e.id = {}",
        fair_id, employer_id)
    if rows:
        return {**rows[0], "kind": "booth", "slot_booking": None, "starts_at": None,
                "ends_at": None, "label": "", "topic": ""}
    rows = await db.fetch(
        "SELECT e.id, e.name, e.industry, k.id AS slot_booking, s.starts_at, s.ends_at, "
        "s.label, k.topic FROM employer e JOIN slot_booking k ON k.employer = e.id "
        "AND k.fair = {} AND k.status = 'confirmed' JOIN guest_slot s ON s.id = k.slot "
        "WHERE e.id = {}", fair_id, employer_id)
    if rows:
        row = rows[0]
        row["starts_at"] = db.as_datetime(row["starts_at"])
        row["ends_at"] = db.as_datetime(row["ends_at"])
        return {**row, "kind": "slot", "booking": None, "booth": None}
    return None


async def employer_at_fair(fair_id: int, employer_id: int,
                           principal: Principal | None = None) -> dict:
    """The public page a poster's QR opens: who the employer is, its booth or guest slot, and
    the positions it brings to this fair. 404 unless it holds a confirmed booking there."""
    fair = await fair_row(fair_id, principal)
    found = await _presence(fair_id, employer_id)
    if found is None:
        raise NotFound("this employer has no booth or guest slot at this fair")
    positions = await _positions_query(
        f"p.fair = {{}} AND p.employer = {{}} AND {_ACTIVE_POSITION}", [fair_id, employer_id])
    return {"fair": fair, "employer": found, "positions": positions,
            "path": employer_page_path(fair_id, employer_id)}


def _poster(fair: dict, r: dict) -> dict:
    return {"fair": fair, "employer": r["employer"], "employer_name": r["employer_name"],
            "industry": r.get("industry") or "", "booth": r.get("booth"),
            "starts_at": db.as_datetime(r["starts_at"]) if r.get("starts_at") else None,
            "ends_at": db.as_datetime(r["ends_at"]) if r.get("ends_at") else None,
            "label": r.get("label") or "",
            "path": employer_page_path(fair["id"], r["employer"])}


async def fair_posters(principal: Principal, fair_id: int) -> list[dict]:
    """An organiser's posters of a fair: one per confirmed booth booking (by booth code) or
    per confirmed guest-slot booking (by time)."""
    fair = await managed_fair(principal, fair_id)
    if fair["kind"] == "online":
        rows = await db.fetch(
            "SELECT k.employer, e.name AS employer_name, e.industry, s.starts_at, s.ends_at, "
            "s.label FROM slot_booking k JOIN guest_slot s ON s.id = k.slot "
            "JOIN employer e ON e.id = k.employer WHERE k.fair = {} AND k.status = 'confirmed' "
            "ORDER BY s.starts_at, k.id", fair_id)
    else:
        rows = await db.fetch(
            "SELECT k.employer, e.name AS employer_name, e.industry, b.code AS booth "
            "FROM booking k JOIN booth b ON b.id = k.booth JOIN employer e ON e.id = k.employer "
            "WHERE k.fair = {} AND k.status = 'confirmed' ORDER BY b.code, k.id", fair_id)
    return [_poster(fair, r) for r in rows]


async def booking_poster(principal: Principal, booking_id: int, slot: bool = False) -> dict:
    """The poster of one booking, for its employer (or an organiser of the fair)."""
    if slot:
        row = await get_slot_booking(booking_id, principal)
        extra = {"starts_at": row["starts_at"], "ends_at": row["ends_at"],
                 "label": row["label"]}
    else:
        row = await get_booking(booking_id, principal)
        extra = {"booth": row["booth_code"]}
    if row["status"] != "confirmed":
        raise _conflict("booking", N_("only a confirmed booking has a poster"))
    fair = await fair_row(row["fair"], principal)
    employer = await employers.get_employer(row["employer"])
    return _poster(fair, {"employer": row["employer"], "employer_name": employer["name"],
                          "industry": employer["industry"], **extra})


async def _interest_position(position_id: int) -> dict:
    rows = await db.fetch(
        "SELECT p.id, p.fair, p.employer, p.title, f.status AS fair_status FROM job_position p "
        f"JOIN fair f ON f.id = p.fair WHERE p.id = {{}} AND {_ACTIVE_POSITION}", position_id)
    if not rows or rows[0]["fair_status"] not in ("published", "cancelled"):
        raise NotFound("no such position",
                       errors=[FieldError("position", N_("this position is no longer offered"))])
    return rows[0]


async def _ticket_of(secret: str) -> dict | None:
    """The registration of a ticket's secret, given as itself or as the ticket's address."""
    from fairs.tickets import codes
    from fairs.tickets import services as tickets

    return await tickets.by_secret(codes.secret_from(secret))


async def _interest_ticket(secret: str, fair_id: int) -> dict:
    """The active registration of `fair_id` with this ticket secret; 422/409 naming `secret`."""
    row = await _ticket_of(secret)
    if row is None:
        raise Invalid("secret", N_("no such ticket; open your ticket's page"))
    if row["fair"] != fair_id:
        raise Invalid("secret", N_("this ticket is for another fair"))
    if row["status"] != "active":
        raise _conflict("secret", N_("this registration was cancelled"))
    return row


async def mark_interest(secret: str, position_id: int,
                        fair_id: int | None = None) -> tuple[dict, bool]:
    """An attendee marks interest in a position with their ticket's secret: (the interest,
    created now?). Once per (ticket, position): a repeat answers the first one. Refused for a
    ticket of another fair or a cancelled one (field `secret`), a position of another fair
    (field `position`) and a cancelled fair (field `fair`)."""
    position = await _interest_position(position_id)
    if fair_id is not None and position["fair"] != fair_id:
        raise Invalid("position", N_("this position is offered at another fair"))
    if position["fair_status"] == "cancelled":
        raise _conflict("fair", "the fair is cancelled")
    registration = await _interest_ticket(secret, position["fair"])
    at = now()
    rows = await db.execute(
        "INSERT INTO position_interest (position, registration, fair, employer, created_at) "
        "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (registration, position) DO NOTHING "
        "RETURNING id", position_id, registration["id"], position["fair"],
        position["employer"], at)
    created = bool(rows)
    if created:
        interest_id, created_at = rows[0]["id"], at
    else:
        first = await Interest.select(Interest.id, Interest.created_at).where(
            Interest.registration == registration["id"],
            Interest.position == position_id).first()
        if first is None:  # withdrawn between the two statements
            raise _conflict("position", "try again")
        interest_id, created_at = first["id"], first["created_at"]
    return {"id": interest_id, "position": position_id, "title": position["title"],
            "fair": position["fair"], "employer": position["employer"],
            "created_at": created_at}, created


async def withdraw_interest(secret: str, position_id: int) -> bool:
    """The attendee takes an interest back (with the ticket's secret). Idempotent: False when
    there was none."""
    row = await _ticket_of(secret)
    if row is None:
        raise Invalid("secret", N_("no such ticket; open your ticket's page"))
    rows = await Interest.delete().where(
        Interest.registration == row["id"], Interest.position == position_id
    ).returning(Interest.id)
    return bool(rows)


async def ticket_interests(secret: str) -> list[dict]:
    """The positions a ticket's holder marked, newest first (the ticket's secret is the
    credential; its door code finds nothing)."""
    row = await _ticket_of(secret)
    if row is None:
        raise NotFound("no such ticket")
    return await registration_interests(row["id"])


async def registration_interests(registration_id: int) -> list[dict]:
    rows = await db.fetch(
        "SELECT i.id, i.position, i.fair, i.employer, i.created_at, p.title, p.headcount, "
        "e.name AS employer_name, b.code AS booth FROM position_interest i "
        "JOIN job_position p ON p.id = i.position JOIN employer e ON e.id = i.employer "
        "LEFT JOIN booking k ON k.id = p.booking LEFT JOIN booth b ON b.id = k.booth "
        "WHERE i.registration = {} ORDER BY i.created_at DESC, i.id DESC", registration_id)
    for r in rows:
        r["created_at"] = db.as_datetime(r["created_at"])
        r["path"] = employer_page_path(r["fair"], r["employer"])
    return rows


async def interested_job_seekers(principal: Principal, fair_id: int | None = None,
                                 limit: int = 500, offset: int = 0) -> dict:
    """The employer's interested job seekers (its own only), per fair: names and phones masked
    as the door scanner shows them, the position, when; with counts per position and fair."""
    from fairs.tickets.services import mask_name, mask_phone

    if principal.role != "employer":
        raise Forbidden("employers see their own interested job seekers")
    employer_id = await employers.employer_id_of(principal.id)
    if employer_id is None:
        raise Forbidden("this account belongs to no employer")
    if not 1 <= limit <= 500:
        raise Invalid("limit", "1 to 500")
    where, args = "i.employer = {}", [employer_id]
    if fair_id is not None:
        where += " AND i.fair = {}"
        args.append(fair_id)
    total = (await db.fetch(f"SELECT COUNT(*) AS n FROM position_interest i WHERE {where}",
                          *args))[0]["n"]
    rows = await db.fetch(
        "SELECT i.id, i.fair, i.position, i.created_at, p.title, r.name, r.phone, "
        "f.title AS fair_title FROM position_interest i JOIN job_position p ON p.id = i.position "
        "JOIN registration r ON r.id = i.registration JOIN fair f ON f.id = i.fair "
        f"WHERE {where} ORDER BY i.created_at DESC, i.id DESC LIMIT {int(limit)} "
        f"OFFSET {int(offset)}", *args)
    items = [{"id": r["id"], "fair": r["fair"], "fair_title": r["fair_title"],
              "position": r["position"], "title": r["title"], "name": mask_name(r["name"]),
              "phone": mask_phone(r["phone"]), "created_at": db.as_datetime(r["created_at"])}
             for r in rows]
    per_position = await db.fetch(
        "SELECT i.position, p.title, i.fair, COUNT(*) AS n FROM position_interest i "
        f"JOIN job_position p ON p.id = i.position WHERE {where} "
        "GROUP BY i.position, p.title, i.fair ORDER BY i.fair, COUNT(*) DESC, i.position", *args)
    per_fair = await db.fetch(
        "SELECT i.fair, f.title, f.starts_at, COUNT(*) AS n FROM position_interest i "
        f"JOIN fair f ON f.id = i.fair WHERE {where} GROUP BY i.fair, f.title, f.starts_at "
        "ORDER BY f.starts_at DESC", *args)
    for r in per_fair:
        r["starts_at"] = db.as_datetime(r["starts_at"])
    return {"items": items, "total": int(total), "positions": per_position, "fairs": per_fair}
