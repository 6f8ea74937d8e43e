"""Services of the posters and interests: a booking's poster, the employer's page at a fair
its QR opens, and attendees' interest in positions (pages: fairs.booths.posters)."""

from __future__ import annotations

from fairs import db
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.employers.positions import employer_positions
from fairs.errors import FieldError, Forbidden, Invalid, NotFound
from fairs.i18n import N_
from fairs.measures import ACTIVE_POSITION

from .base import _conflict, fair_row, managed_fair, now
from .bookings import get_booking
from .slots import get_slot_booking
from .tables import Interest

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
        raise NotFound(N_("this employer has no booth or guest slot at this fair"),
                       code="not_at_fair")
    positions = await employer_positions(fair_id, employer_id)
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
        f"JOIN fair f ON f.id = p.fair WHERE p.id = {{}} AND {ACTIVE_POSITION}", position_id)
    if not rows or rows[0]["fair_status"] not in ("published", "cancelled"):
        raise NotFound(N_("no such position"), code="unknown_position",
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
        raise _conflict("fair", N_("the fair is cancelled"), code="fair_cancelled")
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
            raise _conflict("position", N_("try again"), code="busy")
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
        raise NotFound(N_("no such ticket"), code="unknown_ticket")
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
        raise Forbidden(N_("employers see their own interested job seekers"), code="employers_only")
    employer_id = await employers.employer_id_of(principal.id)
    if employer_id is None:
        raise Forbidden(N_("this account belongs to no employer"), code="not_an_employer")
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
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
