"""What each Happening becomes: outbox messages, written inside the cause's transaction (the
`happened` hook's receiver) — SMS to registrants, SMS and e-mail to employers, webhook events
to partners. Messages to every registrant of a fair are one INSERT ... SELECT, whatever their
number."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from fairs import clock, db
from fairs.db import dialect
from fairs.hooks import Happening
from fairs.i18n import local

from .outbox import Outgoing, enqueue

# Event types partners can receive (API.md) for each Happening kind (None: no event).
EVENT_TYPES: dict[str, str | None] = {
    "fair.published": "fair.published", "fair.changed": "fair.changed",
    "fair.cancelled": "fair.cancelled", "registration.created": "registration.created",
    "registration.cancelled": "registration.cancelled",
    "booking.confirmed": "booking.confirmed", "booking.promoted": "booking.confirmed",
    "booking.waitlisted": "booking.waitlisted", "booking.cancelled": "booking.cancelled",
    "employer.approved": "employer.approved", "employer.rejected": "employer.rejected",
    "checkin.counts": "checkin.counts",
}
EVENTS = tuple(sorted({e for e in EVENT_TYPES.values() if e}))


def when_text(at: Any) -> str:
    """A fair's start as the messages say it: '12-05 09:00' (local)."""
    value = db.as_datetime(at)
    return local(value).strftime("%m-%d %H:%M") if value else ""


def short(title: str, limit: int = 20) -> str:
    return title if len(title) <= limit else title[:limit - 1] + "…"


async def fair_facts(fair_id: int) -> dict | None:
    rows = await db.fetch(
        "SELECT f.id, f.title, f.starts_at, f.status, f.revision, "
        "COALESCE(v.name, c.name, '') AS place FROM fair f "
        "LEFT JOIN venue v ON v.id = f.venue LEFT JOIN channel c ON c.id = f.channel "
        "WHERE f.id = {}", fair_id)
    return rows[0] if rows else None


def _base(fair: dict) -> dict[str, str]:
    return {"fair": short(fair["title"]), "when": when_text(fair["starts_at"]),
            "place": short(fair["place"] or "", 24)}


async def to_registrants(fair_id: int, key: str, template: str, params: dict,
                         due_at: datetime | None = None, *, reminders: bool = False) -> None:
    """One SMS per active registration of the fair (`key` + ':' + registration id), in one
    statement; `reminders`: not to those who turned reminders off."""
    at = clock.now()
    shared = json.dumps(params, ensure_ascii=False)[:-1] + ', "registration": '
    skip = (" AND NOT EXISTS (SELECT 1 FROM notify_opt_out o WHERE o.registration = r.id)"
            if reminders else "")
    await db.write(
        "INSERT INTO outbox_message (key, uid, channel, recipient, template, params, locale, "
        "fair, status, attempts, created_at, due_at) "
        "SELECT CAST({} AS TEXT) || r.id, 'msg_' || CAST({} AS TEXT) || r.id, 'sms', r.phone, "
        "CAST({} AS TEXT), CAST({} AS TEXT) || r.id || '}}', 'zh_CN', r.fair, 'pending', 0, "
        f"{dialect.timestamp('{}')}, {dialect.timestamp('{}')} "
        f"FROM registration r WHERE r.fair = {{}} AND r.status = 'active'{skip} "
        "ON CONFLICT (key) DO NOTHING",
        key + ":", key + ":", template, shared, at, due_at or at, fair_id)


async def employer_contacts(employer_id: int) -> dict | None:
    rows = await db.fetch("SELECT id, name, contact_phone, email FROM employer WHERE id = {}",
                          employer_id)
    return rows[0] if rows else None


async def to_employer(employer_id: int, key: str, template: str, params: dict,
                      fair: int | None = None, due_at: datetime | None = None) -> None:
    """SMS to the employer's contact, and e-mail where it gave an address."""
    found = await employer_contacts(employer_id)
    if found is None:
        return
    params = {**params, "employer": short(found["name"], 24), "employer_id": employer_id}
    out = [Outgoing(f"{key}:sms", "sms", found["contact_phone"], template, params, fair,
                    due_at)]
    if found.get("email"):
        out.append(Outgoing(f"{key}:email", "email", found["email"], template, params, fair,
                            due_at))
    await enqueue(out)


async def to_booked_employers(fair_id: int, key: str, template: str, params: dict) -> None:
    for row in await db.fetch(
            "SELECT k.id, k.employer, b.code FROM booking k LEFT JOIN booth b ON b.id = k.booth "
            "WHERE k.fair = {} AND k.status = 'confirmed' ORDER BY k.id", fair_id):
        await to_employer(row["employer"], f"{key}:{row['id']}", template,
                          {**params, "booth": row["code"] or ""}, fair_id)


async def webhook_events(kind: str, data: dict[str, Any]) -> None:
    """A webhook message per active endpoint subscribed to the event's type."""
    event = EVENT_TYPES.get(kind)
    if event is None:
        return
    endpoints = await db.fetch("SELECT id, events FROM webhook_endpoint WHERE active = 1")
    wanted = [e["id"] for e in endpoints if event in e["events"].split(",")]
    if not wanted:
        return
    event_id = "evt_" + uuid.uuid4().hex
    body = {"id": event_id, "type": event, "created_at": clock.now().isoformat(), "data": data}
    await enqueue([Outgoing(f"wh:{endpoint}:{event_id}", "webhook", str(endpoint), event, body,
                            data.get("fair")) for endpoint in wanted])


async def publish_counts(at: datetime | None = None) -> int:
    """`checkin.counts`: for each published fair checking people in around `at` (from an hour
    before its start to an hour after its end), an event whenever its counts changed since the
    last one: admitted, walk-ins, registered, employers present, livestream views; numbers
    only. The message key carries the counts, so workers that run this at once (PostgreSQL)
    write one event per change, and an unchanged fair writes nothing. Returns how many events
    were new."""
    from fairs.measures import fair_attendance

    at = at or clock.now()
    endpoints = await db.fetch("SELECT id, events FROM webhook_endpoint WHERE active = 1")
    wanted = [e["id"] for e in endpoints if "checkin.counts" in e["events"].split(",")]
    if not wanted:
        return 0
    hour = timedelta(hours=1)
    fairs = await db.fetch(
        "SELECT id FROM fair WHERE status = 'published' AND starts_at <= {} AND ends_at >= {} "
        "ORDER BY id", at + hour, at - hour)
    out: list[Outgoing] = []
    for row in fairs:
        counts = await fair_attendance(row["id"], at)
        if not counts or not (counts["checked_in"] or counts["employers_present"]
                              or counts["online_viewers"]):
            continue
        stamp = ".".join(str(counts[k]) for k in (
            "checked_in", "walk_ins", "employers_present", "online_viewers"))
        event_id = "evt_counts_" + hashlib.sha256(f"{row['id']}:{stamp}".encode()).hexdigest()[:24]
        data = {"fair": row["id"], "admissions": counts["checked_in"],
                "walk_ins": counts["walk_ins"], "registered": counts["registered"],
                "employers_present": counts["employers_present"],
                "online_views": counts["online_viewers"], "at": at.isoformat()}
        body = {"id": event_id, "type": "checkin.counts", "created_at": at.isoformat(),
                "data": data}
        out.extend(Outgoing(f"wh:{endpoint}:counts:{row['id']}:{stamp}", "webhook",
                            str(endpoint), "checkin.counts", body, row["id"])
                   for endpoint in wanted)
    async with db.write_transaction():
        return await enqueue(out)


async def drop_reminders(fair_id: int, why: str) -> None:
    """Reminders not yet sent for a fair that moved (the new time gets its own) or was
    cancelled: failed, with the reason, never sent."""
    await db.write(
        "UPDATE outbox_message SET status = 'failed', last_error = {} WHERE fair = {} "
        "AND status = 'pending' AND template IN ('reminder_day', 'reminder_hours', "
        "'reminder_employer')", why, fair_id)


async def on_happened(h: Happening) -> None:
    """fairs.hooks.happened: inside the cause's write transaction."""
    fair = await fair_facts(h.fair) if h.fair else None
    base = _base(fair) if fair else {}
    data: dict[str, Any] = {"fair": h.fair} if h.fair else {}
    kind, d = h.kind, h.details
    # registration.created: written with the registration itself (outbox.registration_steps)
    if kind == "ticket.resent" and d.get("phone"):
        path = f"/tickets/{d['secret']}" if d.get("secret") else ""
        await enqueue([Outgoing(f"resent:{uuid.uuid4().hex}:{h.subject}", "sms", d["phone"],
                                "ticket_resent", {**base, "path": path}, h.fair)])
        data["registration"] = h.subject
    elif kind == "registration.cancelled":
        data["registration"] = h.subject
    elif kind == "fair.changed" and fair and d.get("moved") and fair["status"] == "published":
        await drop_reminders(h.fair, "fair moved")
        key = f"moved:{h.fair}:{fair['revision']}"
        await to_registrants(h.fair, key, "fair_moved", base)
        await to_booked_employers(h.fair, key, "fair_moved", base)
    elif kind == "fair.cancelled" and fair:
        await drop_reminders(h.fair, "fair cancelled")
        key = f"cancelled:{h.fair}"
        await to_registrants(h.fair, key, "fair_cancelled", base)
        await to_booked_employers(h.fair, key, "fair_cancelled", base)
    elif kind.startswith("booking.") and d.get("employer"):
        template = "booking_" + kind.split(".", 1)[1]
        await to_employer(int(d["employer"]), f"{kind}:{h.subject}", template,
                          {**base, "booth": d.get("booth") or "", "place": d.get("place") or "",
                           "qr": d.get("code") or ""},
                          h.fair)
        data.update(booking=h.subject, employer=d["employer"])
    elif kind in ("employer.approved", "employer.rejected"):
        template = kind.replace(".", "_")
        stamp = int(clock.now().timestamp())
        await to_employer(int(h.subject), f"{kind}:{h.subject}:{stamp}", template,
                          {"reason": str(d.get("reason") or "")[:40]})
        data["employer"] = h.subject
    elif kind == "slot.changed" and d.get("employer"):
        await to_employer(int(d["employer"]), f"slot:{h.subject}:{uuid.uuid4().hex}",
                          "slot_changed", {**base, "when": when_text(d.get("starts_at"))},
                          h.fair)
    await webhook_events(kind, data)
