"""Counts and summaries other slices ask through fairs.hooks: booths and slots booked, employer
visits, the employer's calendar, the calendar's jobs line and its ETag stamp."""

from __future__ import annotations

from fairs import db
from fairs.measures import ACTIVE_POSITION

from .base import now
from .tables import (
    Booking,
    SlotBooking,
)

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


async def jobs_summaries(fair_ids: list[int]) -> dict[int, dict[str, int]]:
    """For calendar events' jobs line: positions listed and openings offered per fair."""
    out: dict[int, dict[str, int]] = {}
    if not fair_ids:
        return out
    for r in await db.fetch(
            "SELECT p.fair, COUNT(*) AS positions, SUM(p.headcount) AS headcount "
            f"FROM job_position p WHERE p.fair IN ({_marks(fair_ids)}) AND {ACTIVE_POSITION} "
            "GROUP BY p.fair", *fair_ids):
        out[r["fair"]] = {"positions": int(r["positions"]), "headcount": int(r["headcount"] or 0)}
    return out


async def jobs_stamp() -> str:
    """Changes whenever a position is added, removed or its headcount changes, or a booking
    holding positions is cancelled: the calendar feeds' ETags include it."""
    rows = await db.fetch(
        "SELECT COUNT(*) AS n, COALESCE(SUM(p.headcount), 0) AS h, COALESCE(MAX(p.id), 0) AS m "
        f"FROM job_position p WHERE {ACTIVE_POSITION}")
    return f"{rows[0]['n']}-{rows[0]['h']}-{rows[0]['m']}"
