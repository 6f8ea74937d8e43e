"""Guest slots of online fairs: an organiser cuts a session into slots, an approved employer
books one (a partial unique index settles races: one confirmed booking per slot, one per
employer and session)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs import db
from fairs.accounts.services import Principal
from fairs.employers import services as employers
from fairs.employers.ledger import ensure_not_suspended
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.i18n import N_

from .base import _can_touch, _conflict, _lock_fair, check_open, fair_row, managed_fair, now
from .tables import (
    GuestSlot,
    SlotBooking,
)

# --- guest slots (online fairs) -------------------------------------------------------------


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


async def add_slots(principal: Principal, fair_id: int, slots: list[dict]) -> list[dict]:
    """Add guest slots to an online session: inside the session's times, never overlapping each
    other or the slots already there (409 naming the clash). All or nothing."""
    fair = await managed_fair(principal, fair_id)
    if fair["kind"] != "online":
        raise Invalid("slots", N_("only online fairs have guest slots"), code="offline_fair")
    if fair["status"] == "cancelled":
        raise _conflict("fair", N_("the fair is cancelled"), code="fair_cancelled")
    if not slots or len(slots) > 200:
        raise Invalid("slots", N_("{lo} to {hi} slots"), code="out_of_range",
                      params={"lo": 1, "hi": 200})
    wanted = []
    for i, s in enumerate(slots):
        start = events.aware(s["starts_at"], "starts_at")
        end = events.aware(s["ends_at"], "ends_at")
        if end <= start:
            raise Invalid(f"slots[{i}].ends_at", N_("must be after the start"), code="before_start")
        if start < fair["starts_at"] or end > fair["ends_at"]:
            raise Invalid(f"slots[{i}].starts_at", N_("a slot lies inside the session's times"),
                          code="outside_session")
        wanted.append((start, end, str(s.get("label") or "").strip()[:200]))
    wanted.sort()
    for (s1, e1, _), (s2, e2, _) in zip(wanted, wanted[1:], strict=False):
        if _overlaps(s1, e1, s2, e2):
            raise _conflict("slots", N_("slots overlap at {when}"), code="slots_overlap",
                            params={"when": s2})
    async with db.write_transaction():
        await _lock_fair(fair_id)
        existing = await GuestSlot.select(GuestSlot.id, GuestSlot.starts_at,
                                          GuestSlot.ends_at).where(GuestSlot.fair == fair_id)
        for s, e, _ in wanted:
            for r in existing:
                if _overlaps(s, e, r["starts_at"], r["ends_at"]):
                    raise _conflict("slots", N_("a slot overlaps the slot at {when}"),
                                    code="slots_overlap", params={"when": r["starts_at"]},
                                    conflicting_slot=r["id"])
        await GuestSlot.insert(*[GuestSlot(fair=fair_id, starts_at=s, ends_at=e, label=label)
                                 for s, e, label in wanted])
    return await list_slots(fair_id, principal)


def split_session(starts_at: datetime, ends_at: datetime, minutes: int,
                  gap: int = 0) -> list[dict]:
    """Pure: cut [starts_at, ends_at) into back-to-back slots of `minutes` (plus a gap)."""
    if not 5 <= minutes <= 240:
        raise Invalid("minutes", N_("from {lo} to {hi} minutes"), code="out_of_range",
                      params={"lo": 5, "hi": 240})
    out, t = [], starts_at
    while t + timedelta(minutes=minutes) <= ends_at:
        out.append({"starts_at": t, "ends_at": t + timedelta(minutes=minutes)})
        t += timedelta(minutes=minutes + gap)
    return out


async def delete_slot(principal: Principal, slot_id: int) -> None:
    slot = await GuestSlot.select(GuestSlot.fair).where(GuestSlot.id == slot_id).first()
    if slot is None:
        raise NotFound(N_("no such slot"), code="unknown_slot")
    await managed_fair(principal, slot["fair"])
    async with db.write_transaction():
        taken = await SlotBooking.count().where(SlotBooking.slot == slot_id,
                                                SlotBooking.status == "confirmed")
        if taken:
            raise _conflict("slot", N_("this slot is booked; cancel the booking first"),
                            code="slot_booked")
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
        raise NotFound(N_("no such slot"), code="unknown_slot")
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
            raise _conflict("slot", N_("your company already holds a slot in this session"),
                            code="already_booked") from exc
        if db.is_unique_violation(exc, "slot_booking_slot_active"):
            raise _conflict("slot", N_("this slot is taken"), code="slot_taken") from exc
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
        raise NotFound(N_("no such slot booking"), code="unknown_booking")
    if not await _can_touch(principal, row):
        raise Forbidden(N_("this booking belongs to another company"), code="other_company")
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
