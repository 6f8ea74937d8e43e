"""Delivery over each channel: the SMS gateway (HTTP, API.md's form), e-mail (SMTP with
aiosmtplib), webhooks (Standard Webhooks signing). Each `send_*` returns on success and raises
`Failed` (permanent or not) otherwise; the worker records the outcome."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from fairs.settings import Settings

from . import texts


class Failed(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


def configured(settings: Settings) -> list[str]:
    """The channels this process can deliver (webhooks always: their messages exist only where
    an endpoint was registered)."""
    found = ["webhook"]
    if settings.sms_url:
        found.append("sms")
    if settings.smtp_url:
        found.append("email")
    return found


def _answer_failure(response: httpx.Response) -> Failed:
    code = response.status_code
    # 4xx other than a timeout or a rate limit: the request itself is wrong; trying again
    # would fail the same way.
    permanent = 400 <= code < 500 and code not in (408, 409, 425, 429)
    return Failed(f"HTTP {code}", permanent=permanent)


async def send_sms(http: httpx.AsyncClient, settings: Settings, row: Mapping[str, Any]) -> None:
    body = {"id": row["uid"], "to": row["recipient"], "template": row["template"],
            "params": {k: str(row["params"].get(k, "")) for k in texts.names(row["template"])},
            "text": texts.text(row["template"], row["params"], row["locale"])}
    headers = {"Authorization": f"Bearer {settings.sms_token}"} if settings.sms_token else {}
    try:
        response = await http.post(settings.sms_url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise Failed(f"{type(exc).__name__}") from exc
    if not response.is_success:
        raise _answer_failure(response)


# --- webhooks ---------------------------------------------------------------------------------


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: `v1,` + base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}"), the
    key being the secret's base64 part after `whsec_`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def send_webhook(http: httpx.AsyncClient, endpoint: Mapping[str, Any] | None,
                       row: Mapping[str, Any], timestamp: int) -> None:
    if endpoint is None or not endpoint["active"]:
        raise Failed("endpoint deleted", permanent=True)
    body = json.dumps(row["params"], ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"content-type": "application/json", "webhook-id": row["uid"],
               "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(endpoint["secret"], row["uid"], timestamp, body)}
    try:
        response = await http.post(endpoint["url"], content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise Failed(f"{type(exc).__name__}") from exc
    if not response.is_success:
        raise Failed(f"HTTP {response.status_code}")  # partners' errors are all retried


# --- e-mail -----------------------------------------------------------------------------------


def smtp_options(url: str) -> dict[str, Any]:
    """aiosmtplib's keyword arguments from FAIRS_SMTP_URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("FAIRS_SMTP_URL must start with smtp:// or smtps://")
    query = parse_qs(parts.query)
    options: dict[str, Any] = {
        "hostname": parts.hostname or "localhost",
        "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "use_tls": parts.scheme == "smtps",
        "start_tls": (query.get("starttls") or ["0"])[0] in ("1", "true", "yes"),
        "timeout": 20,
    }
    if parts.username:
        options["username"] = unquote(parts.username)
        options["password"] = unquote(parts.password or "")
    return options


def email_message(settings: Settings, row: Mapping[str, Any],
                  attachments: Mapping[str, Any] | None = None) -> EmailMessage:
    """Text and HTML; `attachments` may hold "qr_png" (inline in the HTML) and "ics" (the
    fair's calendar event, attached)."""
    from html import escape

    body = texts.text(row["template"], row["params"], row["locale"])
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["recipient"]
    message["Subject"] = texts.subject(row["template"], row["locale"])
    domain = settings.mail_from.partition("@")[2] or "fairs.localhost"
    message["Message-ID"] = f"<{row['uid']}@{domain}>"  # the idempotency key
    message.set_content(body)
    attachments = attachments or {}
    html = f"<p>{escape(body)}</p>"
    qr = attachments.get("qr_png")
    cid = make_msgid(domain=domain)
    if qr:
        html += f'<p><img src="cid:{cid[1:-1]}" alt="QR" width="240" height="240"></p>'
    message.add_alternative(f"<!doctype html><html><body>{html}</body></html>", subtype="html")
    if qr:
        message.get_payload()[1].add_related(qr, maintype="image", subtype="png", cid=cid)
    ics = attachments.get("ics")
    if ics:
        message.add_attachment(ics, maintype="text", subtype="calendar", filename="fair.ics")
    return message


async def send_email(settings: Settings, row: Mapping[str, Any],
                     attachments: Mapping[str, Any] | None = None) -> None:
    import aiosmtplib

    message = email_message(settings, row, attachments)
    try:
        await aiosmtplib.send(message, **smtp_options(settings.smtp_url))
    except aiosmtplib.SMTPRecipientsRefused as exc:
        raise Failed("recipient refused", permanent=True) from exc
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise Failed(type(exc).__name__) from exc
