"""Delivery over each channel: the SMS gateway (HTTP, API.md's form), e-mail (SMTP with
aiosmtplib), webhooks (Standard Webhooks signing). Each `send_*` returns on success and raises
`Failed` (permanent or not) otherwise; the worker records the outcome."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
from collections.abc import Mapping
from email.header import Header
from email.message import Message
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiohttp

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


# What a send may fail with before an answer: the connection, TLS, a timeout.
TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)


async def _post(http: aiohttp.ClientSession, url: str, body: bytes,
                headers: dict[str, str]) -> int:
    """POST `body` (JSON) and return the answer's status, its body read and dropped (the
    connection goes back to the pool); no redirect is followed."""
    try:
        async with http.post(url, data=body, allow_redirects=False,
                             headers={"content-type": "application/json", **headers}) as answer:
            await answer.read()
            return answer.status
    except TRANSPORT_ERRORS as exc:
        raise Failed(f"{type(exc).__name__}") from exc


def _answer_failure(code: int) -> Failed:
    # 4xx other than a timeout or a rate limit: the request itself is wrong; trying again
    # would fail the same way.
    permanent = 400 <= code < 500 and code not in (408, 409, 425, 429)
    return Failed(f"HTTP {code}", permanent=permanent)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


async def send_sms(http: aiohttp.ClientSession, settings: Settings,
                   row: Mapping[str, Any]) -> None:
    body = {"id": row["uid"], "to": row["recipient"], "template": row["template"],
            "params": {k: str(row["params"].get(k, "")) for k in texts.names(row["template"])},
            "text": texts.text(row["template"], row["params"], row["locale"])}
    headers = {"Authorization": f"Bearer {settings.sms_token}"} if settings.sms_token else {}
    status = await _post(http, settings.sms_url, _json(body), headers)
    if not 200 <= status < 300:
        raise _answer_failure(status)


# --- webhooks ---------------------------------------------------------------------------------


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: `v1,` + base64 of HMAC-SHA256(key, "{id}.{timestamp}.{body}"), the
    key being the secret's base64 part after `whsec_`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def send_webhook(http: aiohttp.ClientSession, endpoint: Mapping[str, Any] | None,
                       row: Mapping[str, Any], timestamp: int) -> None:
    if endpoint is None or not endpoint["active"]:
        raise Failed("endpoint deleted", permanent=True)
    body = _json(row["params"])
    headers = {"webhook-id": row["uid"], "webhook-timestamp": str(timestamp),
               "webhook-signature": sign(endpoint["secret"], row["uid"], timestamp, body)}
    status = await _post(http, endpoint["url"], body, headers)
    if not 200 <= status < 300:
        raise Failed(f"HTTP {status}")  # partners' errors are all retried


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


def _text_part(text: str, subtype: str) -> MIMEText:
    return MIMEText(text, subtype, "utf-8")


def email_message(settings: Settings, row: Mapping[str, Any],
                  attachments: Mapping[str, Any] | None = None) -> Message:
    """Text and HTML; `attachments` may hold "qr_png" (inline in the HTML) and "ics" (the
    fair's calendar event, attached). Built with the email package's classic MIME classes: the
    same message as EmailMessage builds, for a fraction of its CPU (its header registry parses
    every header it is given, and again when the message is written out)."""
    from html import escape

    body = texts.text(row["template"], row["params"], row["locale"])
    domain = settings.mail_from.partition("@")[2] or "fairs.localhost"
    attachments = attachments or {}
    html = f"<p>{escape(body)}</p>"
    qr = attachments.get("qr_png")
    cid = make_msgid(domain=domain)
    if qr:
        html += f'<p><img src="cid:{cid[1:-1]}" alt="QR" width="240" height="240"></p>'
    html_part: Message = _text_part(f"<!doctype html><html><body>{html}</body></html>", "html")
    if qr:
        image = MIMEImage(qr, "png")
        image["Content-ID"] = cid
        image["Content-Disposition"] = "inline"
        html_part = MIMEMultipart("related", _subparts=[html_part, image])
    message: Message = MIMEMultipart("alternative", _subparts=[_text_part(body, "plain"),
                                                               html_part])
    ics = attachments.get("ics")
    if ics:
        calendar = _text_part(ics.decode() if isinstance(ics, bytes) else ics, "calendar")
        calendar.add_header("Content-Disposition", "attachment", filename="fair.ics")
        message = MIMEMultipart("mixed", _subparts=[message, calendar])
    message["From"] = settings.mail_from
    message["To"] = row["recipient"]
    message["Subject"] = Header(texts.subject(row["template"], row["locale"]), "utf-8")
    message["Message-ID"] = f"<{row['uid']}@{domain}>"  # the idempotency key
    return message


class Mailer:
    """One SMTP connection for a delivery round's e-mails, opened with the first and used by
    each in turn (a connection and a greeting per message cost more than the message); a
    connection that fails is dropped, and the next e-mail opens another."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.smtp: Any = None
        self.lock = asyncio.Lock()

    async def send(self, row: Mapping[str, Any],
                   attachments: Mapping[str, Any] | None = None) -> None:
        import aiosmtplib

        message = email_message(self.settings, row, attachments)
        async with self.lock:
            try:
                if self.smtp is None:
                    smtp = aiosmtplib.SMTP(**smtp_options(self.settings.smtp_url))
                    await smtp.connect()
                    self.smtp = smtp
                await self.smtp.send_message(message)
            except aiosmtplib.SMTPRecipientsRefused as exc:
                raise Failed("recipient refused", permanent=True) from exc
            except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
                await self._drop()
                raise Failed(type(exc).__name__) from exc

    async def _drop(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            smtp.close()

    async def aclose(self) -> None:
        async with self.lock:
            if self.smtp is not None and self.smtp.is_connected:
                with contextlib.suppress(Exception):
                    await self.smtp.quit()
            await self._drop()
