"""A booked employer copies its needs into a fair's positions in one step (the reuse Chinese fair
platforms offer): the needs picked become positions of its confirmed booking or slot booking,
all of them or none.

Each need must be the booking's employer's own, a draft or published (not rejected or
withdrawn) and not expired; each becomes a position checked by the positions' own rule
(fairs.employers.fields.job_fields, through fairs.employers.positions.add_positions, which
writes them in one transaction). The first need that fails any of this is a 422 naming `needs`
and the need, and nothing is written.
"""

from __future__ import annotations

from fairs import clock, db
from fairs.accounts.services import Principal
from fairs.employers import positions
from fairs.employers.fields import job_fields
from fairs.employers.positions import held_booking
from fairs.errors import Forbidden, Invalid, Message
from fairs.i18n import N_

from .needs import as_date

MAX_NEEDS = 50
USABLE = ("draft", "published")


def position_of(need: dict) -> dict:
    """The position a need becomes: its fields, its skills as the description."""
    return {"title": need["title"], "headcount": need["headcount"],
            "education": need["education"], "job_type": need["job_type"],
            "pay_unit": need["pay_unit"], "salary_min": need["salary_min"],
            "salary_max": need["salary_max"], "description": need["skills"]}


async def usable_needs(employer_id: int) -> list[dict]:
    """The employer's needs that can be copied (drafts and published ones not expired), newest
    first."""
    rows = await db.fetch(
        "SELECT id, title, headcount, education, job_type, pay_unit, salary_min, salary_max, "
        "skills, skilled, status, valid_until FROM need WHERE employer = {} "
        "AND status IN ('draft', 'published') AND valid_until >= {} ORDER BY id DESC LIMIT 200",
        employer_id, clock.today_local())
    return [{**r, "valid_until": as_date(r["valid_until"])} for r in rows]


async def copy_needs(principal: Principal, booking_id: int, need_ids: list[int],
                     slot: bool = False) -> list[dict]:
    """The needs `need_ids` as positions of the caller's booking (`slot`: guest-slot booking).
    -> the positions made, in the order of `need_ids`."""
    booking = await held_booking(principal, booking_id, slot)
    if principal.role != "employer":
        raise Forbidden(N_("the employer lists its own positions"), code="employers_only")
    ids = list(dict.fromkeys(need_ids))
    if not 1 <= len(ids) <= MAX_NEEDS:
        raise Invalid("needs", N_("from {lo} to {hi} items"), code="out_of_range",
                      params={"lo": 1, "hi": MAX_NEEDS})
    marks = ", ".join("{}" for _ in ids)
    rows = await db.fetch(
        "SELECT id, employer, status, valid_until, title, headcount, education, job_type, "
        f"pay_unit, salary_min, salary_max, skills FROM need WHERE id IN ({marks})", *ids)
    found = {r["id"]: r for r in rows}
    today = clock.today_local()
    items = []
    for need_id in ids:
        need = found.get(need_id)
        if need is None or need["employer"] != booking.employer:
            raise Invalid("needs", N_("no need {id} of your company"), code="unknown_need",
                          params={"id": need_id})
        if need["status"] not in USABLE:
            raise Invalid("needs", N_("need {id} is rejected or withdrawn"),
                          code="need_not_usable", params={"id": need_id})
        if as_date(need["valid_until"]) < today:
            raise Invalid("needs", N_("need {id} has expired"), code="need_expired",
                          params={"id": need_id})
        item = position_of(need)
        try:
            job_fields(item)
        except Invalid as exc:
            problem = exc.errors[0] if exc.errors else None
            raise Invalid("needs", N_("need {id}: {problem}"), code="invalid_need",
                          params={"id": need_id, "problem": Message(
                              problem.msgid if problem else exc.msgid,
                              problem.params if problem else exc.params)}) from None
        items.append(item)
    return await positions.add_positions(principal, booking_id, items, slot)
