"""Positions an employer brings to a fair, hung on its confirmed booking or slot booking, and
the search over a fair's positions.

Bookings are the booths slice's, which builds on this one: a booking is reached through the
declared hook fairs.hooks.booking_of (the booths slice answers it with its own rule of who may
touch a booking), and the fair's list reads bookings and booths by SQL."""

from __future__ import annotations

from fairs import db, hooks
from fairs.accounts.services import Principal
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.hooks import HeldBooking
from fairs.i18n import N_
from fairs.measures import ACTIVE_POSITION

from .fields import (
    EDUCATION,
    EXPERIENCE,
    JOB_TYPE_ZH,
    JOB_TYPES,
    PAY_BOUNDS,
    PAY_UNIT_ZH,
    PAY_UNITS,
    check_pay,
    job_fields,
)
from .services import employer_id_of
from .tables import Position

# The fields' codes and their rule live in .fields (shared with the demand catalogue's needs);
# the names stay importable from here.
__all__ = ["EDUCATION", "EXPERIENCE", "JOB_TYPES", "JOB_TYPE_ZH", "PAY_BOUNDS", "PAY_UNITS",
           "PAY_UNIT_ZH", "check_pay", "job_fields"]


# --- positions ------------------------------------------------------------------------------


async def held_booking(principal: Principal, booking_id: int,
                       slot: bool = False) -> HeldBooking:
    """The booking (booth) or slot booking (guest slot) positions hang on, as the caller may
    touch it: 404 when there is none, 403 when it is another company's."""
    found = await hooks.booking_of.first(principal, "slot" if slot else "booth", booking_id)
    if found is None:
        raise NotFound(N_("no such slot booking") if slot else N_("no such booking"),
                       code="unknown_booking")
    return found


async def add_position(principal: Principal, booking_id: int, data: dict,
                       slot: bool = False) -> dict:
    """A position on the caller's confirmed booking (booth) or slot booking (guest slot)."""
    return (await add_positions(principal, booking_id, [data], slot))[0]


async def add_positions(principal: Principal, booking_id: int, items: list[dict],
                        slot: bool = False) -> list[dict]:
    """Positions on the caller's confirmed booking (booth) or slot booking (guest slot), all of
    them or none: every item is checked (`job_fields`) before one transaction writes them (a
    fault in item n is a 422 naming `items[n].<field>` when there are several)."""
    booking = await held_booking(principal, booking_id, slot)
    if principal.role != "employer":
        raise Forbidden(N_("the employer lists its own positions"), code="employers_only")
    if booking.status != "confirmed":
        message = N_("positions hang on a confirmed booking")
        raise Conflict(message, code="not_booked",
                       errors=[FieldError("booking", message, code="not_booked")])
    if not 1 <= len(items) <= 50:
        raise Invalid("items", N_("from {lo} to {hi} items"), code="out_of_range",
                      params={"lo": 1, "hi": 50})
    checked = []
    for n, data in enumerate(items):
        try:
            checked.append(job_fields(data))
        except Invalid as exc:
            raise (exc.under(f"items[{n}]") if len(items) > 1 else exc) from None
    link = {"slot_booking": booking_id} if slot else {"booking": booking_id}
    async with db.write_transaction():
        rows = await Position.insert(*(
            Position(fair=booking.fair, employer=booking.employer, **link, **values)
            for values in checked)).returning(Position.id)
    return [await get_position(r["id"]) for r in rows]


async def get_position(position_id: int) -> dict:
    rows = await _positions_query("p.id = {}", [position_id])
    if not rows:
        raise NotFound(N_("no such position"), code="unknown_position")
    return rows[0]


async def _own_position(principal: Principal, position_id: int) -> dict:
    row = await Position.select(Position.employer).where(Position.id == position_id).first()
    if row is None:
        raise NotFound(N_("no such position"), code="unknown_position")
    if principal.role != "employer" or await employer_id_of(principal.id) != row["employer"]:
        raise Forbidden(N_("this position belongs to another company"), code="other_company")
    return row


async def own_position(principal: Principal, position_id: int) -> dict:
    """One of the caller's company's positions (404, or 403 when it is another company's)."""
    await _own_position(principal, position_id)
    return await get_position(position_id)


async def update_position(principal: Principal, position_id: int, changes: dict) -> dict:
    """Change a position (the fields given; the others stay): its company's staff only."""
    await _own_position(principal, position_id)
    current = await Position.select().where(Position.id == position_id).first()
    values = job_fields({**current, **{k: v for k, v in changes.items() if v is not None}})
    await Position.update({getattr(Position, k): v for k, v in values.items()}).where(
        Position.id == position_id)
    return await get_position(position_id)


async def delete_position(principal: Principal, position_id: int) -> None:
    await _own_position(principal, position_id)
    await Position.delete().where(Position.id == position_id)


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
        "p.education, p.experience, p.salary_min, p.salary_max, p.pay_unit, p.major, p.job_type, "
        "p.description, e.name AS employer_name, e.industry AS industry, b.code AS booth "
        f"{base} ORDER BY e.name, p.id LIMIT {int(limit)} OFFSET {int(offset)}", *args)


async def fair_positions(fair_id: int, principal: Principal | None = None, q: str | None = None,
                         job_type: str | None = None, education: str | None = None,
                         limit: int = 100, offset: int = 0) -> tuple[list[dict], int]:
    """A fair's positions on active bookings ("jobs at this fair"), searchable by title, major,
    description and company."""
    await events.get_fair(fair_id, principal, decorate=False)
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
    where, args = f"p.fair = {{}} AND {ACTIVE_POSITION}", [fair_id]
    if q and q.strip():
        like = f"%{q.strip().lower()}%"
        where += (" AND (LOWER(p.title) LIKE {} OR LOWER(p.major) LIKE {} "
                  "OR LOWER(p.description) LIKE {} OR LOWER(e.name) LIKE {})")
        args += [like] * 4
    if job_type:
        job_type = JOB_TYPE_ZH.get(job_type, job_type)
        if job_type not in JOB_TYPES:
            raise Invalid("job_type", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": list(JOB_TYPES)})
        where += " AND p.job_type = {}"
        args.append(job_type)
    if education:
        where += " AND p.education = {}"
        args.append(education)
    total = await _positions_query(where, args, count=True)
    rows = await _positions_query(where, args, limit, offset)
    return rows, total


async def employer_positions(fair_id: int, employer_id: int) -> list[dict]:
    """The positions an employer offers at a fair (on its active bookings)."""
    return await _positions_query(f"p.fair = {{}} AND p.employer = {{}} AND {ACTIVE_POSITION}",
                                  [fair_id, employer_id])


async def booking_positions(booking_id: int, slot: bool = False) -> list[dict]:
    column = "p.slot_booking" if slot else "p.booking"
    return await _positions_query(f"{column} = {{}}", [booking_id])


async def positions_of_booking(principal: Principal, booking_id: int,
                               slot: bool = False) -> tuple[HeldBooking, list[dict]]:
    """A booking's positions, for its employer or an organiser over its fair."""
    booking = await held_booking(principal, booking_id, slot)
    return booking, await booking_positions(booking_id, slot)
