"""The door's settings and readings: the check-in window a fair's organiser sets, the scan
log in aggregate, and the check that a scanner may scan a fair."""

from __future__ import annotations

from datetime import datetime

from fairs import db
from fairs.accounts.services import Principal
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.i18n import N_

from .answers import events_iso, window
from .services import fair_door, may_scan


async def _fair_for_organiser(principal: Principal, fair_id: int) -> dict:
    from fairs.events import services as events

    return await events.get_fair_for_update(principal, fair_id)


async def set_window(principal: Principal, fair_id: int, opens_at: datetime | None,
                     closes_at: datetime | None) -> dict:
    await _fair_for_organiser(principal, fair_id)
    if opens_at and closes_at and closes_at <= opens_at:
        raise Invalid("closes_at", N_("must be after the opening time"), code="before_start")
    async with db.write_transaction():
        await db.execute("DELETE FROM checkin_window WHERE fair = {}", fair_id)
        if opens_at or closes_at:
            await db.execute(
                "INSERT INTO checkin_window (fair, opens_at, closes_at) VALUES ({}, {}, {})",
                fair_id, opens_at, closes_at)
    return await get_window(fair_id)


async def get_window(fair_id: int) -> dict:
    fair = await fair_door(fair_id)
    if fair is None:
        raise NotFound(N_("no such fair"), code="unknown_fair")
    opens, closes = window(fair)
    return {"opens_at": events_iso(opens), "closes_at": events_iso(closes),
            "custom": fair["opens_at"] is not None or fair["closes_at"] is not None}


async def scan_stats(fair_id: int) -> list[dict]:
    rows = await db.fetch(
        "SELECT result, offline, COUNT(*) AS n FROM scan WHERE fair = {} "
        "GROUP BY result, offline ORDER BY result", fair_id)
    return [{"result": r["result"], "offline": bool(r["offline"]), "count": int(r["n"])}
            for r in rows]


async def ensure_may_scan(principal: Principal, fair_id: int) -> dict:
    rows = await db.fetch(
        "SELECT f.id, f.title, f.status, f.starts_at, f.ends_at, o.path AS org_path "
        "FROM fair f JOIN organisation o ON o.id = f.org WHERE f.id = {}", fair_id)
    if not rows:
        raise NotFound(N_("no such fair"), code="unknown_fair")
    if not may_scan(principal, rows[0]["org_path"]):
        raise Forbidden(N_("this fair belongs to another organisation"), code="other_organisation")
    return rows[0]
