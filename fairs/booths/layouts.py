"""Booth layouts of offline fairs: set, copy from another fair at the venue, list, count; and a
new fair's default layout, from its venue (`default_layout`, the `fair_created` receiver)."""

from __future__ import annotations

from fairs import db
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.errors import Invalid
from fairs.events import services as events
from fairs.hooks import NewFair
from fairs.i18n import N_

from .base import _conflict, _lock_fair, fair_row, managed_fair
from .bookings import _fill_from_waitlist
from .tables import (
    Booking,
    Booth,
)

# --- layouts ----------------------------------------------------------------------------------


def _booth_in(item: dict, i: int) -> dict:
    code = str(item.get("code") or "").strip().upper()
    if not code or len(code) > 16:
        raise Invalid(f"booths[{i}].code", N_("from {lo} to {hi} characters"), code="out_of_range",
                      params={"lo": 1, "hi": 16})
    out = {"code": code, "zone": str(item.get("zone") or "").strip()[:32]}
    for key, default, low in (("x", i % 10, 0), ("y", i // 10, 0), ("w", 1, 1), ("h", 1, 1)):
        value = item.get(key)
        value = default if value is None else value
        if not isinstance(value, int) or not low <= value <= 200:
            raise Invalid(f"booths[{i}].{key}", N_("a whole number from {lo} to {hi}"),
                          code="out_of_range", params={"lo": low, "hi": 200})
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
        raise Invalid("booths", N_("only offline fairs have booths; online fairs have guest slots"),
                      code="online_fair")
    if fair["status"] == "cancelled":
        raise _conflict("fair", N_("the fair is cancelled"), code="fair_cancelled")
    if len(booths) > 2000:
        raise Invalid("booths", N_("at most {n} booths"), code="too_many", params={"n": 2000})
    wanted = [_booth_in(item, i) for i, item in enumerate(booths)]
    codes = [b["code"] for b in wanted]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise Invalid("booths", N_("booth codes must be unique within the fair: {codes}"),
                      code="duplicate_booth", params={"codes": dupes})
    async with db.write_transaction():
        await _lock_fair(fair_id)
        existing = {r["code"]: r for r in await Booth.select(Booth.id, Booth.code).where(
            Booth.fair == fair_id)}
        gone = [r["id"] for c, r in existing.items() if c not in set(codes)]
        if gone:
            booked = await Booking.select(Booking.booth.code.as_alias("code")).where(
                Booking.booth.is_in(gone), Booking.status == "confirmed")
            if booked:
                names = sorted(r["code"] for r in booked)
                raise _conflict("booths", N_("booked booths cannot be removed: {codes}"),
                                code="booth_booked", params={"codes": names})
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
        raise Invalid("from", N_("copy only from another fair at the same venue"),
                      code="other_venue")
    rows = await Booth.select(Booth.code, Booth.zone, Booth.x, Booth.y, Booth.w, Booth.h,
                              Booth.step_free, Booth.blocked).where(
        Booth.fair == source_fair_id).order_by(Booth.id)
    if not rows:
        raise Invalid("from", N_("that fair has no layout"), code="no_layout")
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


# --- a new fair's default layout --------------------------------------------------------------


def grid_layout(rows: int, per_row: int, zone: str = "A") -> list[dict]:
    """The booths of a rows × booths-per-row layout, numbered as the organiser's layout
    generator numbers them: A01, A02, ... row by row, the front row step-free."""
    return [{"code": f"{zone}{r * per_row + c + 1:02d}", "zone": zone, "x": c, "y": r, "w": 1,
             "h": 1, "step_free": r == 0, "blocked": False}
            for r in range(max(rows, 0)) for c in range(max(per_row, 0))]


async def default_layout(fair: NewFair) -> None:
    """A new offline fair gets its venue's default layout (rows × booths per row, set on the
    catalogue page); a venue without one gives the layout of its latest fair that had one (its
    bookings not copied). Called inside the fair's creation transaction (fairs.hooks
    `fair_created`), so the fair and its booths are made together or not at all."""
    if fair.kind != "offline" or not fair.venue:
        return
    venue = await catalog.venue(fair.venue)
    if venue["booth_rows"] and venue["booths_per_row"]:
        booths = grid_layout(venue["booth_rows"], venue["booths_per_row"])
    else:
        booths = await db.fetch(
            "SELECT b.code, b.zone, b.x, b.y, b.w, b.h, b.step_free, b.blocked FROM booth b "
            "WHERE b.fair = (SELECT f.id FROM fair f WHERE f.venue = {} AND f.id <> {} "
            "AND EXISTS (SELECT 1 FROM booth x WHERE x.fair = f.id) "
            "ORDER BY f.starts_at DESC, f.id DESC LIMIT 1) ORDER BY b.id",
            fair.venue, fair.id)
    if booths:
        await Booth.insert(*[Booth(fair=fair.id, **{**b, "step_free": bool(b["step_free"]),
                                                    "blocked": bool(b["blocked"])})
                             for b in booths])
