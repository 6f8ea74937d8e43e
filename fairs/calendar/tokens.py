"""Employers' private calendar feeds: one secret address per employer (only its hash is
stored), revoked on request; the feed lists the employer's own bookings (fairs.hooks)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
from datetime import datetime

from fairs import db, hooks
from fairs.errors import NotFound
from fairs.events.tables import Fair
from fairs.i18n import N_

from . import ical
from .pieces import CHUNK, _etag, base_url, host, now
from .tables import CalendarFeedToken

# --- employers' private feeds ---------------------------------------------------------------


def _token(secret: str, salt: str) -> str:
    mac = hmac.new(secret.encode(), f"calendar-feed:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def employer_feed_path(token: str) -> str:
    return f"/calendar/feeds/{token}.ics"


async def employer_feed_url(employer_id: int, secret: str, base: str | None = None) -> str:
    """The employer's private feed address, made on first use (one live token per employer,
    a partial unique index decides a race between two first uses)."""
    for _ in range(3):
        row = await CalendarFeedToken.select(CalendarFeedToken.id, CalendarFeedToken.salt,
                                             CalendarFeedToken.token_hash).where(
            (CalendarFeedToken.employer_id == employer_id)
            & CalendarFeedToken.revoked_at.is_null()).first()
        if row is not None:
            token = _token(secret, row["salt"])
            if hmac.compare_digest(_hash(token), row["token_hash"]):
                return (base or base_url()) + employer_feed_path(token)
            # The secret key changed: that address can no longer be shown; replace it.
            await revoke_employer_feed(employer_id)
            continue
        salt = secrets.token_hex(16)
        try:
            async with db.write_transaction():
                await CalendarFeedToken.insert(CalendarFeedToken(
                    employer_id=employer_id, salt=salt, token_hash=_hash(_token(secret, salt)),
                    created_at=now()))
        except Exception as exc:
            if not db.is_unique_violation(exc):
                raise
    raise RuntimeError("could not make a calendar feed token")  # pragma: no cover


async def revoke_employer_feed(employer_id: int) -> None:
    async with db.write_transaction():
        await CalendarFeedToken.update({CalendarFeedToken.revoked_at: now()}).where(
            (CalendarFeedToken.employer_id == employer_id)
            & CalendarFeedToken.revoked_at.is_null())


async def employer_by_token(token: str) -> dict:
    if not token or len(token) > 100:
        raise NotFound(N_("no such feed"))
    row = await CalendarFeedToken.select(
        CalendarFeedToken.employer_id, CalendarFeedToken.created_at,
        CalendarFeedToken.revoked_at).where(CalendarFeedToken.token_hash == _hash(token)).first()
    if row is None or row["revoked_at"] is not None:
        raise NotFound(N_("no such feed"))
    return row


async def employer_items(employer_id: int) -> list[dict]:
    """The employer's booked booths and guest slots (fairs.hooks.employer_calendar: the booths
    slice answers), as the dicts fairs.calendar.ical.employer_event reads."""
    return [dataclasses.asdict(item) for item in await hooks.calendar_of_employer(employer_id)]


async def employer_feed(token: str) -> tuple[bytes, str, datetime]:
    """(body, etag, last_modified) of the private feed behind `token`; NotFound once revoked.
    The feed is small (one employer's bookings), so it is built, then its hash is the ETag."""
    row = await employer_by_token(token)
    employer_id = row["employer_id"]
    items = await employer_items(employer_id)
    fair_ids = sorted({int(i["fair"]) for i in items if i.get("fair")})
    fairs: dict[int, dict] = {}
    for i in range(0, len(fair_ids), CHUNK):
        for f in await Fair.select(
            Fair.id, Fair.kind, Fair.title, Fair.status, Fair.starts_at, Fair.ends_at,
            Fair.revision, Fair.updated_at, Fair.stream_url,
            Fair.venue.name.as_alias("venue_name"), Fair.venue.address.as_alias("venue_address"),
            Fair.channel.name.as_alias("channel_name"), Fair.channel.url.as_alias("channel_url"),
        ).where(Fair.id.is_in(fair_ids[i:i + CHUNK])):
            fairs[f["id"]] = f
    base = base_url()
    h = host(base)
    events = [ical.employer_event(item, fairs.get(int(item["fair"])) if item.get("fair")
                                  else None, host=h, base_url=base, employer_id=employer_id)
              for item in items]
    events.sort(key=lambda e: (ical.utc(e.start), e.uid))
    starts = [ical.utc(e.start) for e in events]
    ends = [ical.utc(e.end) for e in events]
    first, last = ical.years(min(starts) if starts else None, max(ends) if ends else None)
    body = ical.assemble(ical.head("我的招聘会展位与直播带岗", first, last),
                         [ical.event_ics(e) for e in events])
    stamps = [ical.utc(e.stamp) for e in events] + [ical.utc(db.as_datetime(row["created_at"]))]
    return body, _etag("employer", hashlib.sha256(body).hexdigest()), max(stamps)
