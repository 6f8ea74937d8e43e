"""The city-wide booking rules and the no-show ledger: absences recorded after a held fair, late
cancellations, suspensions, annulments and notes.

Bookings are the booths slice's, which builds on this one and asks it (`ensure_not_suspended`,
`get_rules`) when an employer books or cancels: the absences of held fairs are read from the
bookings by SQL, with the read model's definition of a held fair (fairs.measures)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs import clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.audit import services as audit
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.i18n import N_
from fairs.measures import held as held_fair

from .services import can_view
from .tables import BookingRules, NoShow

now = clock.now  # the one clock (tests set it)

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
        raise Forbidden(N_("only an administrator changes the city-wide booking rules"),
                        code="admins_only")
    limits = {"free_cancel_workdays": (0, 30), "no_show_limit": (1, 100),
              "window_days": (1, 3650), "suspension_days": (0, 3650)}
    values = {}
    for key, value in changes.items():
        if key not in limits or value is None:
            continue
        low, high = limits[key]
        if not isinstance(value, int) or not low <= value <= high:
            raise Invalid(key, N_("a whole number from {lo} to {hi}"), code="out_of_range",
                          params={"lo": low, "hi": high})
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
        raise Forbidden(N_("booking is suspended until {when} after repeated no-shows"),
                        code="suspended", params={"when": until},
                        extra={"suspended_until": events.iso(until)})


async def list_no_shows(principal: Principal, employer_id: int | None = None,
                        include_annulled: bool = True) -> list[dict]:
    if employer_id is None or principal.role != "employer":
        if not principal.is_organiser:
            raise Forbidden(N_("organisers only"), code="organisers_only")
        await record_absences()
    elif not await can_view(principal, employer_id):
        raise Forbidden(N_("not your company"), code="other_company")
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
        raise Forbidden(N_("organisers only"), code="organisers_only")
    rows = await db.fetch(
        "SELECT o.path FROM no_show n JOIN fair f ON f.id = n.fair "
        "JOIN organisation o ON o.id = f.org WHERE n.id = {}", no_show_id)
    if not rows:
        raise NotFound(N_("no such record"), code="unknown_record")
    if not accounts.in_subtree(principal, rows[0]["path"]):
        raise Forbidden(N_("this record belongs to another organisation's fair"),
                        code="other_organisation")


async def annul_no_show(principal: Principal, no_show_id: int, note: str) -> dict:
    await _ensure_over_no_show(principal, no_show_id)
    note = (note or "").strip()
    if not note:
        raise Invalid("note", N_("say why the record is annulled"), code="required")
    rows = await NoShow.update({NoShow.annulled_at: now(), NoShow.annulled_by: principal.id,
                                NoShow.note: note[:2000]}).where(
        NoShow.id == no_show_id).returning(NoShow.id)
    if not rows:
        raise NotFound(N_("no such record"), code="unknown_record")
    return await NoShow.select().where(NoShow.id == no_show_id).first()


async def explain_no_show(principal: Principal, no_show_id: int, note: str) -> dict:
    """An organiser's note on a record that stays in force."""
    await _ensure_over_no_show(principal, no_show_id)
    rows = await NoShow.update({NoShow.note: (note or "").strip()[:2000]}).where(
        NoShow.id == no_show_id).returning(NoShow.id)
    if not rows:
        raise NotFound(N_("no such record"), code="unknown_record")
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
