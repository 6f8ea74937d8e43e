"""The notify slice's rules that people call: send a ticket again, turn reminders off, partners'
webhook endpoints, an admin's test message. (The outbox itself: outbox.py; delivery:
worker.py; what each change becomes: receivers.py.)"""

from __future__ import annotations

import base64
import secrets
import uuid
from urllib.parse import urlsplit

from fairs import clock, db, hooks
from fairs.emails import check_email
from fairs.errors import Invalid, NotFound
from fairs.i18n import N_
from fairs.phones import check_mobile
from fairs.tickets import codes

from .outbox import Outgoing, enqueue
from .receivers import EVENTS


async def resend_ticket(fair_id: int, raw_phone: str) -> None:
    """Send the active ticket of this phone for this fair again, by SMS. The ticket's secret
    is only kept hashed, so a new one is made: the SMS carries the ticket's new address and
    the old address stops working (the door code, the QR, does not change). Answers nothing
    either way: whether the phone is registered is not told."""
    phone = check_mobile(raw_phone)
    secret = codes.new_secret()
    async with db.write_transaction():
        rows = await db.write(
            "UPDATE registration SET secret_hash = {} WHERE fair = {} AND phone = {} "
            "AND status = 'active' AND secret_hash IS NOT NULL RETURNING id",
            codes.secret_hash(secret), fair_id, phone)
        if rows:
            await hooks.happened.notify(hooks.Happening(
                "ticket.resent", fair_id, rows[0]["id"], {"phone": phone, "secret": secret}))


async def stop_reminders(registration_id: int) -> None:
    await db.write("INSERT INTO notify_opt_out (registration, at) VALUES ({}, {}) "
                   "ON CONFLICT (registration) DO NOTHING", registration_id,
                   clock.now())


async def reminders_stopped(registration_id: int) -> bool:
    return bool(await db.fetch("SELECT 1 AS x FROM notify_opt_out WHERE registration = {}",
                               registration_id))


# --- webhooks ---------------------------------------------------------------------------------


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise Invalid("url", N_("an http:// or https:// address"), code="invalid_url")
    return url.strip()


def check_events(events: list[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENTS]
    if not events or unknown:
        raise Invalid("events", N_("one or more of: {events}"), code="invalid_events",
                      params={"events": ", ".join(EVENTS)})
    return sorted(set(events))


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def check_secret(secret: str) -> str:
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        key = b""
    if not 16 <= len(key) <= 64:
        raise Invalid("secret", N_("whsec_ followed by 16 to 64 bytes in base64"),
                      code="invalid_secret")
    return secret


def _shown(row: dict) -> dict:
    return {"id": row["id"], "url": row["url"], "events": row["events"].split(","),
            "created_at": db.as_datetime(row["created_at"]).isoformat()}


async def create_webhook(url: str, events: list[str], secret: str | None = None) -> dict:
    url, events = check_url(url), check_events(events)
    secret = check_secret(secret) if secret else new_secret()
    rows = await db.write(
        "INSERT INTO webhook_endpoint (url, events, secret, active, created_at) "
        "VALUES ({}, {}, {}, 1, {}) RETURNING id, url, events, created_at",
        url, ",".join(events), secret, clock.now())
    return {**_shown(rows[0]), "secret": secret}


async def webhooks() -> list[dict]:
    return [_shown(r) for r in await db.fetch(
        "SELECT id, url, events, created_at FROM webhook_endpoint WHERE active = 1 "
        "ORDER BY id")]


async def webhook(endpoint_id: int) -> dict:
    rows = await db.fetch("SELECT id, url, events, created_at FROM webhook_endpoint "
                          "WHERE id = {} AND active = 1", endpoint_id)
    if not rows:
        raise NotFound(N_("no such webhook"))
    found = _shown(rows[0])
    found["deliveries"] = [
        {"id": d["id"], "type": d["template"], "status": d["status"], "attempts": d["attempts"],
         "last_error": d["last_error"], "sent_at": d["sent_at"] and db.as_datetime(
             d["sent_at"]).isoformat()}
        for d in await db.fetch(
            "SELECT id, template, status, attempts, last_error, sent_at FROM outbox_message "
            "WHERE channel = 'webhook' AND recipient = {} ORDER BY id DESC LIMIT 50",
            str(endpoint_id))]
    return found


async def delete_webhook(endpoint_id: int) -> None:
    """Deactivated (its pending deliveries then fail: "endpoint deleted")."""
    rows = await db.write("UPDATE webhook_endpoint SET active = 0 WHERE id = {} AND active = 1 "
                          "RETURNING id", endpoint_id)
    if not rows:
        raise NotFound(N_("no such webhook"))


async def send_test(channel: str, to: str) -> None:
    """An admin's test message to a phone (SMS) or an address (e-mail)."""
    if channel == "sms":
        recipient = check_mobile(to, "to")
    elif channel == "email":
        recipient = check_email(to, "to")
    else:
        raise Invalid("channel", N_("sms or email"), code="invalid_channel")
    await enqueue([Outgoing(f"test:{uuid.uuid4().hex}", channel, recipient, "test")])

