"""Registrations and tickets: register for a published fair, cancel, find, and count.

Rules: a published fair, inside its registration window (default: publication to the end);
a valid mainland mobile number; one active registration per phone per fair (a partial unique
index decides a race); the capacity holds under concurrency (a tally row updated with
`active = active + 1 WHERE active < capacity` in the same transaction as the insert).
Walk-ins (registered at the door) are not held to the registration capacity.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fairs import clock, db, hooks
from fairs.catalog import services as catalog
from fairs.errors import Conflict, FairsError, FieldError, Invalid, NotFound
from fairs.events import services as events
from fairs.hooks import FairCounts
from fairs.i18n import N_
from fairs.measures import REGISTERED_ONE
from fairs.phones import check_mobile, mask_phone

from . import codes
from .tables import Registration

now = clock.now  # the one clock (tests set it)


# --- personal data --------------------------------------------------------------------------


check_phone = check_mobile
# A second registration with the same phone: say so, and how to get the ticket back.
ALREADY_REGISTERED = N_(
    "This phone number is already registered for this fair. Your ticket is at the link you got "
    "when you registered; on the phone you registered with, this fair's page shows it too. At "
    "the entrance, staff can also find you by your phone number.")


def check_name(raw: str, field: str = "name") -> str:
    name = " ".join((raw or "").split())
    if not 1 <= len(name) <= 50:
        raise Invalid(field, N_("from {lo} to {hi} characters"), code="invalid_name",
                      params={"lo": 1, "hi": 50})
    return name


def mask_name(name: str) -> str:
    """What a scanner shows: the first character (a Chinese surname) or the first word."""
    name = name.strip()
    if not name:
        return ""
    if " " in name:
        first, rest = name.split(" ", 1)
        return f"{first} {rest[:1]}."
    return name[0] + "*" * (len(name) - 1)


def audience_list(value: str | None) -> list[str]:
    return [a for a in (value or "").split(",") if a]


# --- registration ---------------------------------------------------------------------------


def registration_window(fair: dict) -> tuple[datetime | None, datetime]:
    opens = fair.get("registration_opens_at") or fair.get("published_at")
    closes = fair.get("registration_closes_at") or fair["ends_at"]
    return opens, closes


# The registration's one write, for the items that arrive together (fairs.db.Pipeline: one
# statement per batch on PostgreSQL, the group commit on SQLite): `t` takes the batch's places
# from the fair's tally row, all or none (`active + n <= cap`, in one conditional UPDATE: the
# row is locked only for that statement, not for a transaction of several round trips); `r`
# inserts the registrations only where `t` took them. A batch that did not fit although some
# of its items might is undone (`abort_if`) and its items run alone: at the last places each
# one is decided by itself. A phone already registered (the partial unique index) fails its
# batch, whose items run again alone, so only that one caller hears of it. Walk-ins are not
# held to the capacity: their `cap` is NO_LIMIT, as is a fair's without a capacity.
NO_LIMIT = 2**31 - 1

REGISTER_INPUTS = (
    ("fair", "integer"), ("cap", "integer"), ("code", "varchar"), ("secret_hash", "varchar"),
    ("name", "varchar"), ("phone", "varchar"), ("last4", "varchar"), ("audiences", "varchar"),
    ("source", "varchar"), ("at", "timestamptz"),
    # for fairs.hooks.registration_writes: the ticket's secret (the holder's link in the SMS),
    # a fresh random id for what they write, and `at` as ISO 8601 text
    ("secret", "varchar"), ("uid", "varchar"), ("at_text", "varchar"),
)
REGISTER_STEPS = (
    db.Step("t", (
        "UPDATE registration_tally SET active = active + g.n FROM (SELECT i.fair AS gfair, "
        "COUNT(*) AS n, MIN(i.cap) AS cap FROM i GROUP BY i.fair) g "
        "WHERE fair = g.gfair AND active + g.n <= g.cap RETURNING fair, active"),
        ("fair", "active"), keys=(("fair",),)),
    db.Step("r", lambda: (
        "INSERT INTO registration (fair, code, secret_hash, name, phone, phone_last4, "
        "audiences, status, source, created_at) SELECT i.fair, i.code, i.secret_hash, "
        "i.name, i.phone, i.last4, i.audiences, 'active', i.source, i.at "
        "FROM i JOIN t ON t.fair = i.fair WHERE true"
        + db.dialect.lock_order("i.fair, i.phone") + " RETURNING id, code"),
        ("id", "code"), keys=(("code",),), over="t"),
)
_PIPELINES: dict[tuple, db.Pipeline] = {}


def _register_pipeline(extra: tuple) -> db.Pipeline:
    """REGISTER with the steps other slices add (fairs.hooks.registration_writes): one
    pipeline per set of steps, made once."""
    found = _PIPELINES.get(extra)
    if found is None:
        found = _PIPELINES[extra] = db.Pipeline(
            "register" if not extra else f"register{len(_PIPELINES)}",
            inputs=REGISTER_INPUTS, steps=(*REGISTER_STEPS, *extra),
            result="SELECT i.ord, r.id FROM i LEFT JOIN r ON r.code = i.code",
            distinct=(("fair", "phone"),),
            abort_if="r.id IS NULL AND (SELECT COUNT(*) FROM i x WHERE x.fair = i.fair) > 1",
        )
    return found


async def _write(item: tuple) -> dict:
    """The registration's one write: REGISTER_STEPS and the hook's steps, batched."""
    extra = tuple(step for steps in await hooks.registration_writes.collect()
                  for step in steps)
    return await _register_pipeline(extra)(item)


FULL = N_("The fair is full: every place is taken.")


def _full() -> Conflict:
    return Conflict(FULL, errors=[FieldError("fair", N_("the fair is full"), code="fair_full")],
                    extra={"reason": "full"})


# The one "full" refusal: the same problem every time (fairs.web.EARLY answers it pre-encoded).
FULL_REFUSAL = _full()


async def _insert(fair_id: int, name: str, phone: str, audiences: list[str], source: str,
                  capacity: int | None, profile: hooks.ProfileWrite | None = None) -> dict:
    """The write: capacity (unless walk-in) and the registration (and its profile, when one was
    given), all or nothing."""
    code = codes.new_code()
    secret = codes.new_secret()
    at = now()
    cap = NO_LIMIT if capacity is None or source == "walk_in" else capacity
    try:
        # The registration and what it makes others do (its SMS in the outbox) are one
        # statement (fairs.hooks.registration_writes), so they commit together and a rush's
        # registrations still share their batches; a profile given with it is saved in the
        # same transaction (the statement then runs alone in it).
        item = (fair_id, cap, code, codes.secret_hash(secret), name, phone, phone[-4:],
                ",".join(audiences), source, at, secret, uuid.uuid4().hex, at.isoformat())
        if profile is None:
            row = await _write(item)
        else:
            async with db.write_transaction():
                row = await _write(item)
                if row["id"] is not None:
                    await profile.save(row["id"], fair_id)
    except Exception as exc:
        if db.is_unique_violation(exc, "registration_phone_once"):
            raise Conflict(ALREADY_REGISTERED, errors=[
                FieldError("phone", ALREADY_REGISTERED, code="already_registered")],
                extra={"reason": "already_registered"}) from exc
        raise
    if row["id"] is None:
        raise _full()
    return {"id": row["id"], "fair": fair_id, "code": code, "secret": secret,
            "name": name, "phone": phone,
            "audiences": audiences, "status": "active", "source": source, "created_at": at}


# What a registration needs of its fair, and its tally, in one read (batched on PostgreSQL):
# read first, so that a fair whose places are all taken says so before any of the work a
# registration costs (the phone's parsing, the code, the write). A read, never a flag kept in
# a process: a place another worker frees is seen by the next registration here.
_FAIR = db.BatchedFetch(lambda: (
    "SELECT i.ord, f.id, f.status, f.capacity, f.ends_at, f.published_at, "
    "f.registration_opens_at, f.registration_closes_at, "
    "(SELECT COUNT(*) FROM registration_tally x WHERE x.fair = i.fair) AS tallied, "
    + REGISTERED_ONE.replace("{}", "i.fair") + " AS active FROM i"
    + db.dialect.index_join("fair", "f", "f.id = i.fair")), inputs=(("fair", "integer"),))

_TIMES = ("ends_at", "published_at", "registration_opens_at", "registration_closes_at")


async def _fair_state(fair_id: int) -> dict:
    rows = await _FAIR.fetch(fair_id)
    if not rows or rows[0]["id"] is None:
        raise NotFound(N_("no such fair"))
    return _state_of(rows[0])


def _state_of(row: Any) -> dict:
    fair = dict(row)
    for key in _TIMES:
        fair[key] = db.as_datetime(fair[key])
    return fair


def _is_open(fair: dict, at: datetime) -> bool:
    opens, closes = registration_window(fair)
    return not ((opens is not None and at < opens) or at >= closes)


def _is_full(fair: dict, at: datetime) -> bool:
    """A published fair whose registration is open and whose places are all taken."""
    return (fair["capacity"] is not None and fair["status"] == "published"
            and int(fair["active"]) >= fair["capacity"] and _is_open(fair, at))


async def read_fair(fair_id: int) -> dict | None:
    """What a registration for `fair_id` is decided on (status, window, capacity, places taken),
    or None for no such fair: one batched read."""
    rows = await _FAIR.fetch(fair_id)
    return _state_of(rows[0]) if rows and rows[0]["id"] is not None else None


def refusal_when_full(fair: dict | None) -> FairsError | None:
    """The refusal an online registration gets now if the fair (read_fair's) is full, else
    None (anything else, an unknown fair included, is for `register` to decide). Asked before
    the request's session, CSRF and authentication layers, before its body is read
    (fairs.web.EARLY), so that the thousands refused in a rush cost little more than a bare
    request; `register` decides again in its own statement, so a place freed meanwhile is
    still taken by exactly one."""
    return FULL_REFUSAL if fair is not None and _is_full(fair, now()) else None


async def register(fair_id: int, name: str, phone: str, audiences: list[str] | None = None,
                   *, source: str = "online", at: datetime | None = None,
                   profile: Any = None, fair: dict | None = None) -> dict:
    """Register for a published fair; returns the registration with its ticket code. A
    job seeker's `profile` (optional: fairs.hooks.registration_profile) is checked before the
    write and written in its transaction. `fair`: read_fair's answer for this request, if it
    was read already."""
    fair = fair if fair is not None else await _fair_state(fair_id)
    at = at or now()
    if source != "walk_in" and _is_full(fair, at):
        raise _full()
    name = check_name(name)
    phone = check_phone(phone)
    audiences = await catalog.check_audiences(list(audiences or []))
    if fair["status"] == "cancelled":
        raise Conflict(N_("The fair is cancelled."), code="fair_cancelled")
    if fair["status"] != "published":
        raise NotFound(N_("no such fair"))
    if source != "walk_in" and not _is_open(fair, at):
        raise Conflict(N_("Registration for this fair is not open."),
                       code="registration_closed", extra={"reason": "closed"})
    writer = None if profile is None else await hooks.registration_profile.first(profile)
    if not fair["tallied"]:
        await db.execute("INSERT INTO registration_tally (fair, active) VALUES ({}, 0) "
                         "ON CONFLICT (fair) DO NOTHING", fair_id)
    return await _insert(fair_id, name, phone, audiences, source, fair["capacity"], writer)


async def cancel(secret: str) -> dict:
    """The holder cancels with the ticket's secret (not its door code): the code is refused at
    the door from now on. Idempotent; 404 for an unknown secret."""
    hashed = _hashed(secret)
    if hashed is None:
        raise NotFound(N_("no such ticket"))
    async with db.write_transaction():
        rows = await db.write(
            "UPDATE registration SET status = 'cancelled', cancelled_at = {} "
            "WHERE secret_hash = {} AND status = 'active' RETURNING id, fair", now(), hashed)
        if rows:
            await db.execute(
                "UPDATE registration_tally SET active = active - 1 WHERE fair = {}",
                rows[0]["fair"])
            await hooks.happened.notify(hooks.Happening(
                "registration.cancelled", rows[0]["fair"], rows[0]["id"]))
    if rows:
        await hooks.attendance_changed.notify(rows[0]["fair"])
        return {"fair": rows[0]["fair"], "status": "cancelled"}
    row = await by_secret(secret)
    if row is None:
        raise NotFound(N_("no such ticket"))
    return {"fair": row["fair"], "status": row["status"]}


_COLUMNS = (Registration.id, Registration.fair, Registration.code, Registration.name,
            Registration.phone, Registration.audiences, Registration.status,
            Registration.source, Registration.created_at, Registration.cancelled_at)


async def by_code(code: str) -> dict | None:
    """The registration of a door code: for what a code does (admit, identify the holder to an
    employer recording an intention), never to manage the registration (by_secret)."""
    code = codes.normalise(code)
    if not codes.looks_like_ticket(code):
        return None
    return await Registration.select(*_COLUMNS).where(Registration.code == code).first()


def _hashed(secret: str | None) -> str | None:
    return codes.secret_hash(secret) if codes.looks_like_secret(secret) else None


async def by_secret(secret: str | None) -> dict | None:
    """The registration whose holder's secret this is (the ticket's address), or None. A door
    code is not a secret: it finds nothing here."""
    hashed = _hashed(secret)
    if hashed is None:
        return None
    row = await Registration.select(*_COLUMNS).where(Registration.secret_hash == hashed).first()
    if row is not None:
        row["secret"] = secret
    return row


async def ticket(secret: str) -> tuple[dict, dict]:
    """The registration (with its "secret") and its fair, for the holder's pages; 404 for an
    unknown secret, a door code included."""
    row = await by_secret(secret)
    if row is None:
        raise NotFound(N_("no such ticket"))
    fair = await events.get_fair(row["fair"], None, decorate=False)
    return row, fair


async def find_by_phone(fair_id: int, phone: str) -> dict | None:
    """An active registration of this fair for a full phone number (self check-in, kiosk)."""
    e164 = check_phone(phone)
    return await Registration.select(*_COLUMNS).where(
        (Registration.fair == fair_id) & (Registration.phone == e164)
        & (Registration.status == "active")).first()


def _check_last4(last4: str | None) -> str:
    last4 = (last4 or "").strip()
    if len(last4) != 4 or not last4.isdigit():
        raise Invalid("last4", N_("the last 4 digits of the phone number"), code="invalid_last4")
    return last4


async def find_by_last4(fair_id: int, last4: str, limit: int = 20) -> list[dict]:
    """Registrations of a fair whose phone ends in these 4 digits (door staff): each one's id,
    masked name and phone, never its door code (admit_found admits one by id)."""
    last4 = _check_last4(last4)
    rows = await db.fetch(
        "SELECT r.id, r.name, r.phone, r.status, a.admitted_at FROM registration r "
        "LEFT JOIN admission a ON a.registration = r.id "
        "WHERE r.fair = {} AND r.phone_last4 = {} ORDER BY r.id LIMIT {}",
        fair_id, last4, limit)
    return [{"id": r["id"], "name": mask_name(r["name"]), "phone": mask_phone(r["phone"]),
             "status": r["status"], "checked_in_at": db.as_datetime(r["admitted_at"])}
            for r in rows]


async def code_of_found(fair_id: int, registration_id: int, last4: str) -> str:
    """The door code of a registration the phone look-up found (this fair, this phone's last 4
    digits), for the check-in service to decide, never for the answer. 404 otherwise."""
    last4 = _check_last4(last4)
    rows = await db.fetch(
        "SELECT code FROM registration WHERE id = {} AND fair = {} AND phone_last4 = {}",
        registration_id, fair_id, last4)
    if not rows:
        raise NotFound(N_("no such registration"))
    return rows[0]["code"]


async def registered_counts(fair_ids: list[int]) -> dict[int, FairCounts]:
    marks = ", ".join("{}" for _ in fair_ids)
    rows = await db.fetch(
        f"SELECT fair, SUM(active) AS n FROM registration_tally WHERE fair IN ({marks}) "
        f"GROUP BY fair", *fair_ids)
    return {r["fair"]: FairCounts(registered=int(r["n"])) for r in rows}


async def list_for_fair(fair_id: int, limit: int = 100, offset: int = 0) -> tuple[list, int]:
    """An organiser's list of a fair's registrations: masked phones (none, and no name, once
    erased: fairs.tickets.retention)."""
    total = await Registration.count().where(Registration.fair == fair_id)
    rows = await Registration.select(*_COLUMNS).where(Registration.fair == fair_id).order_by(
        Registration.id).limit(limit).offset(offset)
    for r in rows:
        r["phone"] = "" if r["phone"].startswith("#") else mask_phone(r["phone"])
        r["audiences"] = audience_list(r["audiences"])
    return rows, total
