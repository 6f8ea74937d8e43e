"""Walk-ins at the kiosk and self check-in from the wall's code: both admit through
fairs.checkin.services.check_in(), marked with their method."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

from fairs.accounts.services import Principal
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.i18n import N_
from fairs.tickets import codes
from fairs.tickets import services as tickets

from .answers import explain, window
from .services import check_in, counts, fair_door, may_scan, now


async def walk_in(fair_id: int, name: str, phone: str, audiences: list[str] | None = None, *,
                  principal: Principal | None = None, device: str = "kiosk") -> dict:
    """The kiosk at the door: register a phone and a name and admit at once, as a walk-in.

    A phone already registered for this fair is admitted on its ticket (not a walk-in)."""
    existing = await tickets.find_by_phone(fair_id, phone)
    if existing is not None:
        answer = await check_in(fair_id, existing["code"], principal=principal, device=device)
        answer["walk_in"] = False
        return answer
    # Check the door is open before registering anybody.
    fair = await fair_door(fair_id)
    if fair is None:
        raise NotFound(N_("no such fair"), code="unknown_fair")
    if not may_scan(principal, fair["org_path"]):
        raise Forbidden(N_("this fair belongs to another organisation"), code="other_organisation")
    opens, closes = window(fair)
    at = now()
    if fair["fair_status"] != "published" or not opens <= at < closes:
        result = "cancelled" if fair["fair_status"] == "cancelled" else "not_open"
        return {"result": result, "walk_in": False,
                "explanation": explain(result, fair_cancelled=result == "cancelled",
                                       opens=opens, closes=closes),
                "counts": await counts(fair_id)}
    registration = await tickets.register(fair_id, name, phone, audiences, source="walk_in")
    answer = await check_in(fair_id, registration["code"], principal=principal, device=device,
                            method="walk_in")
    answer["walk_in"] = True
    answer["code"] = registration["code"]
    return answer


SELF_STEP = 60  # seconds: the wall's code changes every minute and is good for two


def _self_mac(secret: str, fair_id: int, step: int) -> str:
    msg = f"self-checkin:{fair_id}:{step}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()[:20]


def self_token(secret: str, fair_id: int, at: float | None = None) -> tuple[str, datetime]:
    """The wall's short-lived signed value and when it stops working."""
    step = int((at if at is not None else time.time()) // SELF_STEP)
    expires = datetime.fromtimestamp((step + 2) * SELF_STEP, UTC)
    return f"{step}.{_self_mac(secret, fair_id, step)}", expires


def self_token_valid(secret: str, fair_id: int, token: str, at: float | None = None) -> bool:
    step_text, _sep, mac = (token or "").partition(".")
    if not step_text.isdigit() or not mac:
        return False
    step = int(step_text)
    current = int((at if at is not None else time.time()) // SELF_STEP)
    if step not in (current, current - 1):
        return False
    return hmac.compare_digest(mac, _self_mac(secret, fair_id, step))


async def self_check_in(secret: str, fair_id: int, token: str, *, code: str | None = None,
                        name: str | None = None, phone: str | None = None) -> dict:
    """An attendee scanned the wall: admit their ticket (the code their browser remembers, or
    found by name and phone) through check_in(), marked as a self check-in."""
    if not self_token_valid(secret, fair_id, token):
        raise Invalid("token", N_("this code has expired: scan the wall again"), code="expired")
    if not code:
        if not phone or not name:
            raise Invalid("phone", N_("give your name and phone, or open your ticket"),
                          code="required")
        found = await tickets.find_by_phone(fair_id, phone)
        if found is None or " ".join(name.split()) != found["name"]:
            raise NotFound(N_("no registration for this fair with that name and phone"),
                           code="unknown_registration")
        code = found["code"]
    if not codes.looks_like_ticket(codes.normalise(code)):
        # Only a ticket admits itself: an employer's booking code (or any other slice's) gets
        # the answer an unknown code gets, and never marks its employer present.
        code = ""
    answer = await check_in(fair_id, code, device="self", method="self")
    if answer["result"] in ("ok", "already_checked_in"):
        answer["code"] = codes.normalise(code)  # the browser remembers it for next time
    return answer
