"""The outbox: messages written in their cause's transaction, claimed and delivered by workers.

Why a table of our own and not a job library: the message must commit or roll back with the
registration (booking, fair change) that causes it, on SQLite and on PostgreSQL alike.
procrastinate queues in PostgreSQL only (nothing for SQLite); SAQ and arq queue in Redis, which
cannot share the database's transaction (a job could be queued for a registration that rolled
back, or lost for one that committed). So: one table, and one claim statement that takes due
messages nobody holds (PostgreSQL: `FOR NO KEY UPDATE ... SKIP LOCKED`, so any number of workers
share the queue; SQLite: one writer at a time, the serving process delivers) and leases them for
LEASE seconds. A worker killed mid-delivery leaves its lease to run out; the message is then
taken again with the same `uid`, the idempotency key the gateway (SMTP server, partner) sees, so
the recipient can drop a repeat; a message marked sent is never taken again.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fairs import clock, db
from fairs.db import dialect
from fairs.phones import mask_phone

LEASE = timedelta(seconds=60)
RETRY_FOR = timedelta(hours=26)  # failures are retried at least a day, then the message fails
FIRST_RETRY = 20  # seconds; then doubling, up to MAX_DELAY
MAX_DELAY = 3600


@dataclass(frozen=True)
class Outgoing:
    """A message to write: `key` names its cause (writing it twice writes it once)."""

    key: str
    channel: str
    recipient: str
    template: str
    params: Mapping[str, Any] = field(default_factory=dict)
    fair: int | None = None
    due_at: datetime | None = None
    locale: str = "zh_CN"


def new_uid() -> str:
    return "msg_" + uuid.uuid4().hex


async def enqueue(messages: Sequence[Outgoing]) -> int:
    """Write messages (inside the caller's transaction when there is one); a key already
    written is skipped. Returns how many were new."""
    if not messages:
        return 0
    at = clock.now()
    written = 0
    for chunk_start in range(0, len(messages), 200):
        chunk = messages[chunk_start:chunk_start + 200]
        rows, args = [], []
        for m in chunk:
            rows.append("({}, {}, {}, {}, {}, {}, {}, {}, 'pending', 0, {}, {})")
            args += [m.key[:160], new_uid(), m.channel, m.recipient, m.template,
                     json.dumps(dict(m.params), ensure_ascii=False, default=str), m.locale,
                     m.fair, at, m.due_at or at]
        done = await db.write(
            "INSERT INTO outbox_message (key, uid, channel, recipient, template, params, locale, "
            "fair, status, attempts, created_at, due_at) VALUES " + ", ".join(rows)
            + " ON CONFLICT (key) DO NOTHING RETURNING id", *args)
        written += len(done)
    return written


# --- what a registration writes with itself (fairs.hooks.registration_writes) --------------

_COLUMNS = ("INSERT INTO outbox_message (key, uid, channel, recipient, template, params, locale, "
            "fair, status, attempts, created_at, due_at) ")


def registration_steps() -> tuple:
    """The registrant's SMS ("registered", with the ticket's link; the fair's name, time and
    place are filled in when it is sent) and a registration.created event for each partner
    endpoint subscribed to it: steps of the tickets slice's REGISTER pipeline over `i` (the
    items) and `r` (the registrations written), in its statement."""
    sms = db.Step("o", (
        _COLUMNS + "SELECT 'registered:' || CAST(r.id AS TEXT), 'msg_' || i.uid, 'sms', "
        "i.phone, 'registered', '{{\"path\": \"/tickets/' || i.secret || '\"}}', 'zh_CN', i.fair, "
        "'pending', 0, i.at, i.at FROM i JOIN r ON r.code = i.code "
        "ON CONFLICT (key) DO NOTHING RETURNING id"), ("id",), over="r")
    event = db.Step("w", (
        _COLUMNS + "SELECT 'wh:' || CAST(w.id AS TEXT) || ':evt_' || i.uid, "
        "'msg_' || i.uid || '_' || CAST(w.id AS TEXT), 'webhook', CAST(w.id AS TEXT), "
        "'registration.created', '{{\"id\":\"evt_' || i.uid || "
        "'\",\"type\":\"registration.created\",\"created_at\":\"' || i.at_text || "
        "'\",\"data\":{{\"fair\":' || CAST(i.fair AS TEXT) || ',\"registration\":' || "
        "CAST(r.id AS TEXT) || '}}}}', 'zh_CN', i.fair, 'pending', 0, i.at, i.at "
        "FROM i JOIN r ON r.code = i.code JOIN webhook_endpoint w ON w.active = 1 "
        "AND (',' || w.events || ',') LIKE '%,registration.created,%' "
        "ON CONFLICT (key) DO NOTHING RETURNING id"), ("id",), over="r")
    return (sms, event)


async def claim(channels: Sequence[str], limit: int, at: datetime | None = None,
                lease: timedelta = LEASE) -> list[dict]:
    """Lease up to `limit` due messages of these channels that nobody holds, oldest due first."""
    if not channels:
        return []
    at = at or clock.now()
    marks = ", ".join("{}" for _ in channels)
    rows = await db.write(
        "UPDATE outbox_message SET lease_until = {}, attempts = attempts + 1 WHERE id IN ("
        "SELECT m.id FROM outbox_message m WHERE m.status = 'pending' AND m.due_at <= {} "
        "AND (m.lease_until IS NULL OR m.lease_until < {}) "
        f"AND m.channel IN ({marks}) ORDER BY m.due_at, m.id LIMIT {{}}"
        f"{dialect.skip_locked('m')}) "
        "RETURNING id, uid, key, channel, recipient, template, params, locale, fair, attempts, "
        "created_at", at + lease, at, at, *channels, limit)
    for row in rows:
        row["params"] = json.loads(row["params"] or "{}")
        row["created_at"] = db.as_datetime(row["created_at"])
    return rows


async def mark_sent(ids: Sequence[int], at: datetime | None = None) -> None:
    if not ids:
        return
    marks = ", ".join("{}" for _ in ids)
    await db.write(
        "UPDATE outbox_message SET status = 'sent', sent_at = {}, lease_until = NULL, "
        f"last_error = NULL WHERE id IN ({marks}) AND status = 'pending'",
        at or clock.now(), *ids)


async def _sent_together(ids: list[int]) -> list[None]:
    await mark_sent(ids)
    return [None] * len(ids)


async def release(ids: Sequence[int]) -> None:
    """Claimed messages this process will not send after all (it is stopping): their lease
    and the attempt the claim counted are given back, so the next deliverer takes them at once."""
    if not ids:
        return
    marks = ", ".join("{}" for _ in ids)
    await db.write(
        "UPDATE outbox_message SET lease_until = NULL, attempts = attempts - 1 "
        f"WHERE id IN ({marks}) AND status = 'pending'", *ids)


# One message sent, recorded at once: the messages sent while a record is being written share
# the next one (one UPDATE and one commit for many), so a crash repeats only what was in flight.
sent = db.Batcher(_sent_together, max_size=200)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 20 s, 40 s, 80 s, ... up to an hour."""
    return timedelta(seconds=min(MAX_DELAY, FIRST_RETRY * 2 ** max(0, attempts - 1)))


async def mark_failed(row: Mapping[str, Any], error: str, *, permanent: bool = False,
                      at: datetime | None = None) -> str:
    """A failed attempt: due again after a growing delay, or failed for good (a permanent
    error, or retried for RETRY_FOR). Returns the new status."""
    at = at or clock.now()
    gave_up = permanent or at - row["created_at"] >= RETRY_FOR
    status = "failed" if gave_up else "pending"
    await db.write(
        "UPDATE outbox_message SET status = {}, due_at = {}, lease_until = NULL, last_error = {} "
        "WHERE id = {} AND status = 'pending'",
        status, at + retry_delay(row["attempts"]), error[:500], row["id"])
    return status


async def retry(message_id: int) -> bool:
    """An admin's retry of a failed message: pending again, due now."""
    rows = await db.write(
        "UPDATE outbox_message SET status = 'pending', due_at = {}, lease_until = NULL "
        "WHERE id = {} AND status = 'failed' RETURNING id", clock.now(), message_id)
    return bool(rows)


# --- what admins see --------------------------------------------------------------------------


def mask_recipient(channel: str, recipient: str) -> str:
    if channel == "sms":
        return mask_phone(recipient)
    if channel == "email":
        name, _, domain = recipient.partition("@")
        return (name[:1] + "***@" + domain) if domain else "***"
    return recipient  # a webhook endpoint's id


def _shown(row: dict) -> dict:
    item = {"id": row["id"], "channel": row["channel"],
            "to": mask_recipient(row["channel"], row["recipient"]),
            "template": row["template"], "status": row["status"], "attempts": row["attempts"],
            "created_at": db.as_datetime(row["created_at"]).isoformat()}
    if row.get("last_error"):
        item["last_error"] = row["last_error"]
    if row.get("sent_at"):
        item["sent_at"] = db.as_datetime(row["sent_at"]).isoformat()
    return item


async def listing(status: str | None = None, channel: str | None = None, limit: int = 100,
                  offset: int = 0) -> tuple[list[dict], int]:
    where, args = ["1 = 1"], []
    if status:
        where.append("status = {}")
        args.append(status)
    if channel:
        where.append("channel = {}")
        args.append(channel)
    cond = " AND ".join(where)
    rows = await db.fetch(
        "SELECT id, channel, recipient, template, status, attempts, last_error, created_at, "
        f"sent_at FROM outbox_message WHERE {cond} ORDER BY id DESC LIMIT {{}} OFFSET {{}}",
        *args, limit, offset)
    total = await db.fetch(f"SELECT COUNT(*) AS n FROM outbox_message WHERE {cond}", *args)
    return [_shown(r) for r in rows], int(total[0]["n"])


async def counts() -> dict[str, dict[str, int]]:
    """Messages by channel and status (one aggregate query)."""
    found: dict[str, dict[str, int]] = {}
    for row in await db.fetch("SELECT channel, status, COUNT(*) AS n FROM outbox_message "
                              "GROUP BY channel, status"):
        found.setdefault(row["channel"], {"pending": 0, "sent": 0, "failed": 0})[
            row["status"]] = int(row["n"])
    return found
