"""Positions an employer brings to a fair, hung on its confirmed booking or slot booking, and
the search over a fair's positions.

Bookings are the booths slice's, which builds on this one: a booking is reached through the
declared hook fairs.hooks.booking_of (the booths slice answers it with its own rule of who may
touch a booking), and the fair's list reads bookings and booths by SQL."""

from __future__ import annotations

from typing import Any

from fairs import db, hooks
from fairs.accounts.services import Principal
from fairs.errors import Conflict, FieldError, Forbidden, Invalid, Message, NotFound
from fairs.events import services as events
from fairs.hooks import HeldBooking
from fairs.i18n import N_
from fairs.labels import PAY_UNIT
from fairs.measures import ACTIVE_POSITION

from .services import employer_id_of
from .tables import Position

JOB_TYPES = ("regular", "traineeship", "practical", "gig")  # 常规 见习 实训 零工
JOB_TYPE_ZH = {"常规": "regular", "见习": "traineeship", "实训": "practical", "零工": "gig"}
EDUCATION = ("any", "junior", "senior", "college", "bachelor", "master", "doctor")
EXPERIENCE = ("any", "none", "1-3", "3-5", "5-10", "10+")
PAY_UNITS = ("month", "day", "hour")  # 元/月 元/天 元/小时
PAY_UNIT_ZH = {"月": "month", "天": "day", "日": "day", "小时": "hour", "时": "hour"}
# What a pay figure may be in each unit, when one is given (0 is "not given"): a monthly pay
# under 500 yuan is a day or hour rate typed as a month (the demo's "180–260 元/月"), and a day
# or hour rate above these is a monthly figure in the wrong unit.
PAY_BOUNDS = {"month": (500, 1_000_000), "day": (20, 10_000), "hour": (5, 1_000)}


# --- positions ------------------------------------------------------------------------------


def check_pay(unit: str, salary_min: int, salary_max: int) -> None:
    """Each given pay figure lies within its unit's bounds (422 naming the field)."""
    lo, hi = PAY_BOUNDS[unit]
    for key, value in (("salary_min", salary_min), ("salary_max", salary_max)):
        if value and not lo <= value <= hi:
            raise Invalid(key, N_("0, or from {lo} to {hi} in {unit}"), code="out_of_range",
                          params={"lo": lo, "hi": hi, "unit": Message(PAY_UNIT[unit])})


def _position_in(data: dict, partial: bool = False) -> dict:
    out: dict[str, Any] = {}

    def has(key):
        return key in data and data[key] is not None

    if has("title") or not partial:
        title = str(data.get("title") or "").strip()
        if not title or len(title) > 200:
            raise Invalid("title", N_("from {lo} to {hi} characters"), code="out_of_range",
                          params={"lo": 1, "hi": 200})
        out["title"] = title
    if has("headcount") or not partial:
        headcount = data.get("headcount")
        if not isinstance(headcount, int) or not 1 <= headcount <= 100_000:
            raise Invalid("headcount", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                          params={"lo": 1, "hi": 100_000})
        out["headcount"] = headcount
    if has("job_type") or not partial:
        job_type = str(data.get("job_type") or "regular").strip()
        job_type = JOB_TYPE_ZH.get(job_type, job_type)
        if job_type not in JOB_TYPES:
            raise Invalid("job_type", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": [*JOB_TYPES, *JOB_TYPE_ZH]})
        out["job_type"] = job_type
    for key, allowed in (("education", EDUCATION), ("experience", EXPERIENCE)):
        if has(key) or not partial:
            value = str(data.get(key) or "any").strip()
            if value not in allowed:
                raise Invalid(key, N_("one of {choices}"), code="invalid_choice",
                              params={"choices": list(allowed)})
            out[key] = value
    if has("pay_unit") or not partial:
        unit = str(data.get("pay_unit") or "month").strip()
        unit = PAY_UNIT_ZH.get(unit, unit)
        if unit not in PAY_UNITS:
            raise Invalid("pay_unit", N_("one of {choices}"), code="invalid_choice",
                          params={"choices": ", ".join(PAY_UNITS)})
        out["pay_unit"] = unit
    for key in ("salary_min", "salary_max"):
        if has(key) or not partial:
            value = data.get(key) or 0
            if not isinstance(value, int) or not 0 <= value <= 1_000_000:
                raise Invalid(key, N_("yuan a month, 0 to 1,000,000"), code="out_of_range")
            out[key] = value
    if "salary_min" in out and "salary_max" in out and out["salary_max"] and (
            out["salary_max"] < out["salary_min"]):
        raise Invalid("salary_max", N_("must not be below the lowest pay"),
                      code="below_salary_min")
    if "pay_unit" in out:
        check_pay(out["pay_unit"], out.get("salary_min", 0), out.get("salary_max", 0))
    for key, limit in (("major", 200), ("description", 5000)):
        if has(key) or not partial:
            out[key] = str(data.get(key) or "").strip()[:limit]
    return out


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
    booking = await held_booking(principal, booking_id, slot)
    if principal.role != "employer":
        raise Forbidden(N_("the employer lists its own positions"), code="employers_only")
    if booking.status != "confirmed":
        message = N_("positions hang on a confirmed booking")
        raise Conflict(message, code="not_booked",
                       errors=[FieldError("booking", message, code="not_booked")])
    values = _position_in(data)
    link = {"slot_booking": booking_id} if slot else {"booking": booking_id}
    rows = await Position.insert(Position(fair=booking.fair, employer=booking.employer, **link,
                                          **values)).returning(Position.id)
    return await get_position(rows[0]["id"])


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
    values = _position_in({**current, **{k: v for k, v in changes.items() if v is not None}})
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
