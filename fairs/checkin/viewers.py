"""Online fairs' viewers: the livestream sessions an organiser enters or imports from the
platform's CSV export (fairs.checkin.csvimport), counted in the fair's attendance."""

from __future__ import annotations

from datetime import datetime

from fairs import bounds, db
from fairs.accounts.services import Principal
from fairs.errors import Invalid
from fairs.i18n import N_

from . import live
from .answers import events_iso
from .door import _fair_for_organiser
from .services import now


async def add_online_session(principal: Principal, fair_id: int, label: str,
                             peak_viewers: int, total_views: int,
                             starts_at: datetime | None = None, source: str = "manual") -> dict:
    await _fair_for_organiser(principal, fair_id)
    row = _online_session_row(label, peak_viewers, total_views, starts_at)
    async with db.write_transaction():
        made = await _insert_online_session(fair_id, row, source)
    live.changed(fair_id)
    return made


def _online_session_row(label: str, peak_viewers: int, total_views: int,
                        starts_at: datetime | None) -> dict:
    """A session's figures checked (whoever calls: the API, a page, the CSV import): counts
    from 0 to the import's limits (a sum of them must fit the database's integers), a start
    from 2000 to 2100."""
    from .csvimport import MAX_PEAK, MAX_VIEWS

    if not 0 <= peak_viewers <= MAX_PEAK:
        raise Invalid("peak_viewers", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 0, "hi": MAX_PEAK})
    if not 0 <= total_views <= MAX_VIEWS:
        raise Invalid("total_views", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 0, "hi": MAX_VIEWS})
    bounds.check_date(starts_at, "starts_at")
    return {"label": (label or "").strip()[:200], "peak_viewers": peak_viewers,
            "total_views": total_views, "starts_at": starts_at}


async def _insert_online_session(fair_id: int, row: dict, source: str) -> dict:
    rows = await db.write(
        "INSERT INTO online_session (fair, label, starts_at, peak_viewers, total_views, "
        "source, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}) RETURNING id",
        fair_id, row["label"], row["starts_at"], row["peak_viewers"], row["total_views"],
        source, now())
    return {"id": rows[0]["id"], "label": row["label"], "peak_viewers": row["peak_viewers"],
            "total_views": row["total_views"], "starts_at": events_iso(row["starts_at"]),
            "source": source}


async def list_online_sessions(fair_id: int) -> list[dict]:
    rows = await db.fetch(
        "SELECT id, label, starts_at, peak_viewers, total_views, source FROM online_session "
        "WHERE fair = {} ORDER BY id", fair_id)
    return [{**r, "starts_at": events_iso(db.as_datetime(r["starts_at"]))} for r in rows]


async def delete_online_session(principal: Principal, fair_id: int, session_id: int) -> None:
    await _fair_for_organiser(principal, fair_id)
    async with db.write_transaction():
        await db.execute("DELETE FROM online_session WHERE id = {} AND fair = {}", session_id,
                         fair_id)
    live.changed(fair_id)


async def import_online_sessions(principal: Principal, fair_id: int, text: str) -> list[dict]:
    """The livestream platform's CSV export: one row per session. Columns are found by name
    (Chinese or English): session/title, start, peak viewers, total views."""
    from .csvimport import parse_sessions

    await _fair_for_organiser(principal, fair_id)
    rows = [_online_session_row(s["label"], s["peak_viewers"], s["total_views"], s["starts_at"])
            for s in parse_sessions(text)]
    async with db.write_transaction():  # every row or none
        made = [await _insert_online_session(fair_id, row, "csv") for row in rows]
    live.changed(fair_id)
    return made
