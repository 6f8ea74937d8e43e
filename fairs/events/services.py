"""Fairs: creation, the lifecycle draft -> published -> (cancelled), and the rules they keep.

Rules, each a clear 4xx: the end after the start; an offline fair needs a venue, an online one a
channel; one venue or channel never hosts two overlapping published fairs (409, naming the other
only to its own organisers; drafts hold nothing and are checked when published); only drafts
are deleted; a published fair is rescheduled (same identity, `revision` raised for calendars) or
cancelled with a reason. Organisers act on their organisation's subtree; the public sees published
and cancelled fairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from fairs import bounds, db, hooks
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.audit import services as audit
from fairs.catalog import services as catalog
from fairs.errors import Conflict, Invalid, NotFound
from fairs.i18n import N_

from .conflicts import (  # noqa: F401 (callers use them here)
    _check_place,
    _overlap_error,
    busy_intervals,
    find_overlap,
    lock_place,
)
from .queries import (  # noqa: F401 (callers use them here)
    PUBLIC_STATUSES,
    FairFilter,
    can_see,
    get_fair,
    get_fair_for_update,
    is_held,
    list_fairs,
)
from .tables import FORMATS, KINDS, Fair, FairAudience, FairIndustry
from .tables import STATUSES as STATUSES  # for the pages (pages never import tables)
from .times import aware, day_start, iso, now  # noqa: F401 (callers use them here)

ONE_OF = N_("one of {choices}")
# Changes a calendar must notice on a published fair: they raise `revision` (iCalendar SEQUENCE).
RESCHEDULE_FIELDS = {"starts_at", "ends_at", "venue", "channel", "title"}
WINDOW_FIELDS = ("booking_opens_at", "booking_closes_at", "registration_opens_at",
                 "registration_closes_at")


# --- reading --------------------------------------------------------------------------------


# --- writing --------------------------------------------------------------------------------


def _check_format(value: str) -> str:
    if value not in FORMATS:
        raise Invalid("format", ONE_OF, code="invalid_choice", params={"choices": FORMATS})
    return value


def check_not_past(ends_at: datetime, field: str = "ends_at") -> None:
    """A fair is made, published or moved only while it has not ended: a fair that ended counts
    as held, and held fairs are what the reports count (the demo records history itself)."""
    if ends_at <= now():
        raise Invalid(field, N_("the fair would end in the past"), code="in_the_past")


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid("ends_at", N_("must be after {other}"), code="before_start",
                      params={"other": "starts_at"})
    if ends_at - starts_at > timedelta(days=14):
        raise Invalid("ends_at", N_("a fair lasts at most {n} days"), code="too_long",
                      params={"n": 14})


def _check_windows(values: dict[str, Any]) -> None:
    pairs = (("booking_opens_at", "booking_closes_at"),
             ("registration_opens_at", "registration_closes_at"))
    for opens, closes in pairs:
        if values.get(opens) and values.get(closes) and values[closes] <= values[opens]:
            raise Invalid(closes, N_("must be after {other}"), code="before_start",
                          params={"other": opens})


async def _set_themes(fair_id: int, industries: Iterable[str] | None,
                      audiences: Iterable[str] | None) -> None:
    if industries is not None:
        await FairIndustry.delete().where(FairIndustry.fair == fair_id)
        rows = [FairIndustry(fair=fair_id, industry=code) for code in industries]
        if rows:
            await FairIndustry.insert(*rows)
    if audiences is not None:
        await FairAudience.delete().where(FairAudience.fair == fair_id)
        rows = [FairAudience(fair=fair_id, audience=code) for code in audiences]
        if rows:
            await FairAudience.insert(*rows)


async def _check_new(principal: Principal, kind: str, data: dict[str, Any]) -> tuple:
    """A new fair's place (the venue for an offline fair, the channel for an online one),
    themes and organisation, checked: (venue, channel, industries, audiences, org_id)."""
    venue = data.get("venue") if kind == "offline" else None
    channel = data.get("channel") if kind == "online" else None
    await _check_place(kind, venue, channel, principal)
    industries = await catalog.check_industries(list(data.get("industries") or []))
    audiences = await catalog.check_audiences(list(data.get("audiences") or []))
    org = await accounts.org_by_code(data["org"]) if data.get("org") else None
    org_id = org["id"] if org else principal.org_id
    if org_id is None:
        raise Invalid("org", N_("required"), code="required")
    await accounts.ensure_manages(principal, org_id)
    return venue, channel, industries, audiences, org_id


async def create_fair(principal: Principal, data: dict[str, Any]) -> dict:
    """Create a draft fair. `data` holds FairIn's fields."""
    check_fields(data)
    kind = data["kind"]
    if kind not in KINDS:
        raise Invalid("kind", ONE_OF, code="invalid_choice", params={"choices": KINDS})
    starts_at = aware(data["starts_at"], "starts_at")
    ends_at = aware(data["ends_at"], "ends_at")
    _check_times(starts_at, ends_at)
    check_not_past(ends_at)
    windows = {k: aware(data[k], k) if data.get(k) else None for k in WINDOW_FIELDS}
    _check_windows(windows)
    fmt = _check_format(data.get("format") or ("livestream" if kind == "online" else "special"))
    venue, channel, industries, audiences, org_id = await _check_new(principal, kind, data)
    stream_url = catalog.check_url(data.get("stream_url") or "", "stream_url")
    org_path = await accounts.org_path_of(org_id)
    async with db.write_transaction():
        await lock_place(kind, venue, channel)
        other = await find_overlap(kind, venue, channel, starts_at, ends_at)
        if other:
            raise _overlap_error(kind, other, principal)
        rows = await Fair.insert(Fair(
            kind=kind, title=data["title"].strip(), description=data.get("description") or "",
            format=fmt, starts_at=starts_at, ends_at=ends_at, org=org_id, venue=venue,
            channel=channel, stream_url=stream_url, capacity=data.get("capacity"),
            status="draft", plan_id=data.get("plan_id"), **windows,
        )).returning(Fair.id)
        fair_id = rows[0]["id"]
        await _set_themes(fair_id, industries, audiences)
        await hooks.fair_created.notify(hooks.NewFair(fair_id, kind, org_id, venue, channel))
        await audit.record(principal, "fair.create", "fair", fair_id, after={
            "kind": kind, "title": data["title"], "starts_at": starts_at, "ends_at": ends_at,
            "venue": venue, "channel": channel, "org": org_id}, org_path=org_path)
    return await get_fair(fair_id, principal)


async def update_fair(principal: Principal, fair_id: int, changes: dict[str, Any]) -> dict:
    """Change any writable field. On a published fair a change of time, place or title is a
    reschedule: the fair keeps its identity and its `revision` rises."""
    current = await get_fair_for_update(principal, fair_id)
    check_fields(changes)
    if current["status"] == "cancelled":
        raise Conflict(N_("A cancelled fair cannot be changed."), code="fair_cancelled")
    values: dict[str, Any] = {}
    for key in ("title", "description", "stream_url", "capacity"):
        if key in changes:
            values[key] = changes[key].strip() if key == "title" else changes[key]
    if "stream_url" in values:
        values["stream_url"] = catalog.check_url(values["stream_url"] or "", "stream_url")
    if "format" in changes:
        values["format"] = _check_format(changes["format"])
    for key in ("starts_at", "ends_at", *WINDOW_FIELDS):
        if key in changes:
            values[key] = aware(changes[key], key) if changes[key] else None
    kind = current["kind"]
    if kind == "offline" and "venue" in changes:
        values["venue"] = changes["venue"]
    if kind == "online" and "channel" in changes:
        values["channel"] = changes["channel"]
    merged = {**current, **values}
    _check_times(merged["starts_at"], merged["ends_at"])
    if any(k in values and values[k] != current[k] for k in ("starts_at", "ends_at")):
        check_not_past(merged["ends_at"])
    _check_windows(merged)
    await _check_place(kind, merged["venue"], merged["channel"], principal)
    industries = (await catalog.check_industries(list(changes["industries"]))
                  if "industries" in changes else None)
    audiences = (await catalog.check_audiences(list(changes["audiences"]))
                 if "audiences" in changes else None)
    moved = {k for k in RESCHEDULE_FIELDS if k in values and values[k] != current[k]}
    async with db.write_transaction():
        if moved & {"starts_at", "ends_at", "venue", "channel"}:
            await lock_place(kind, merged["venue"], merged["channel"])
            other = await find_overlap(kind, merged["venue"], merged["channel"],
                                       merged["starts_at"], merged["ends_at"], fair_id)
            if other:
                raise _overlap_error(kind, other, principal)
        values["updated_at"] = now()
        if current["status"] == "published" and moved:
            values["revision"] = current["revision"] + 1
        await Fair.update({getattr(Fair, k): v for k, v in values.items()}).where(
            Fair.id == fair_id)
        await _set_themes(fair_id, industries, audiences)
        await hooks.happened.notify(hooks.Happening("fair.changed", fair_id, fair_id,
                                                    {"moved": bool(moved)}))
        await audit.record(principal, "fair.update", "fair", fair_id,
                           before={k: current.get(k) for k in values if k != "updated_at"},
                           after={k: v for k, v in values.items() if k != "updated_at"},
                           org_path=current["org_path"])
    return await get_fair(fair_id, principal)


async def publish(principal: Principal, fair_id: int) -> dict:
    """Publish a draft: only now does it take its venue (channel), so the place is locked and
    checked again here, and of two drafts for one slot only the first published stands (409
    for the other)."""
    current = await get_fair_for_update(principal, fair_id)
    if current["status"] == "cancelled":
        raise Conflict(N_("A cancelled fair cannot be published."), code="fair_cancelled")
    if current["status"] == "draft":
        check_not_past(current["ends_at"])
        async with db.write_transaction():
            await publish_locked(principal, fair_id)
    return await get_fair(fair_id, principal)


async def publish_locked(principal: Principal, fair_id: int) -> bool:
    """Inside a write transaction: lock the draft's place, refuse a clash with a published
    fair (409), publish and audit. False when the fair was no draft (published meanwhile)."""
    row = await Fair.select(Fair.kind, Fair.venue, Fair.channel, Fair.starts_at,
                            Fair.ends_at, Fair.org.path.as_alias("org_path")).where(
        Fair.id == fair_id).first()
    if row is None:
        raise NotFound(N_("no such fair"))
    await lock_place(row["kind"], row["venue"], row["channel"])
    other = await find_overlap(row["kind"], row["venue"], row["channel"], row["starts_at"],
                               row["ends_at"], fair_id)
    if other:
        raise _overlap_error(row["kind"], other, principal)
    done = await Fair.update({Fair.status: "published", Fair.published_at: now(),
                              Fair.updated_at: now()}).where(
        (Fair.id == fair_id) & (Fair.status == "draft")).returning(Fair.id)
    if not done:
        return False
    await hooks.happened.notify(hooks.Happening("fair.published", fair_id, fair_id))
    await audit.record(principal, "fair.publish", "fair", fair_id,
                       before={"status": "draft"}, after={"status": "published"},
                       org_path=row["org_path"])
    return True


async def cancel(principal: Principal, fair_id: int, reason: str) -> dict:
    current = await get_fair_for_update(principal, fair_id)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("reason", N_("say why the fair is cancelled"), code="required")
    if current["status"] == "cancelled":
        raise Conflict(N_("The fair is already cancelled."), code="fair_cancelled")
    async with db.write_transaction():
        await Fair.update({
            Fair.status: "cancelled", Fair.cancel_reason: reason, Fair.cancelled_at: now(),
            Fair.updated_at: now(), Fair.revision: Fair.revision + 1,
        }).where(Fair.id == fair_id)
        await hooks.happened.notify(hooks.Happening("fair.cancelled", fair_id, fair_id))
        await audit.record(principal, "fair.cancel", "fair", fair_id,
                           before={"status": current["status"]},
                           after={"status": "cancelled", "reason": reason},
                           org_path=current["org_path"])
    return await get_fair(fair_id, principal)


async def delete_fair(principal: Principal, fair_id: int) -> None:
    current = await get_fair_for_update(principal, fair_id)
    if current["status"] != "draft":
        raise Conflict(N_("Only drafts can be deleted; cancel a published fair instead."),
                       code="not_a_draft")
    async with db.write_transaction():
        await FairIndustry.delete().where(FairIndustry.fair == fair_id)
        await FairAudience.delete().where(FairAudience.fair == fair_id)
        await Fair.delete().where(Fair.id == fair_id)
        await audit.record(principal, "fair.delete", "fair", fair_id,
                           before={"title": current["title"], "status": "draft"},
                           org_path=current["org_path"])


# --- shared helpers for other slices ---------------------------------------------------------



def check_fields(data: dict[str, Any]) -> None:
    """A fair's field limits (a title, a capacity of 1 to 1,000,000, bounded texts), kept by
    every write here whoever calls it: the API's schema, the editor's form, the planner."""
    if "title" in data:
        bounds.check_text(data["title"], "title", 200, required=True)
    capacity = data.get("capacity")
    if capacity is not None and not 1 <= capacity <= 1_000_000:
        raise Invalid("capacity", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 1_000_000})
    if len(data.get("description") or "") > 5000:
        raise Invalid("description", N_("at most {n} characters"), code="too_long",
                      params={"n": 5000})
    if len(data.get("stream_url") or "") > 1000:
        raise Invalid("stream_url", N_("at most {n} characters"), code="too_long",
                      params={"n": 1000})


async def create_fairs(principal: Principal, items: list[dict[str, Any]],
                       plan_id: int | None = None, drafts_under: str | None = None
                       ) -> list[int]:
    """Create several drafts in one transaction: all of them or none. Each item holds FairIn's
    fields. A clash with a published fair, a draft of the subtree at `drafts_under` or one of
    the batch is a 409 (naming the fair to its organisers), with the item's index in
    `extra["item"]`."""
    prepared = []
    for n, data in enumerate(items):
        try:
            check_fields(data)
            kind = data["kind"]
            if kind not in KINDS:
                raise Invalid("kind", ONE_OF, code="invalid_choice", params={"choices": KINDS})
            starts_at = aware(data["starts_at"], "starts_at")
            ends_at = aware(data["ends_at"], "ends_at")
            _check_times(starts_at, ends_at)
            check_not_past(ends_at)
        except Invalid as exc:
            raise exc.under(f"fairs[{n}]") from None
        venue, channel, industries, audiences, org_id = await _check_new(principal, kind, data)
        fmt = _check_format(data.get("format")
                            or ("livestream" if kind == "online" else "special"))
        prepared.append((kind, starts_at, ends_at, venue, channel, industries, audiences, org_id,
                         fmt, data))
    # The batch's own drafts (its organisation's) are obstacles to its later items.
    org_paths = {org: await accounts.org_path_of(org) for org in {p[7] for p in prepared}}
    paths = [org_paths[p[7]] for p in prepared]
    ids: list[int] = []
    async with db.write_transaction():
        for n, (kind, starts_at, ends_at, venue, channel, industries, audiences, org_id, fmt,
                data) in enumerate(prepared):
            await lock_place(kind, venue, channel)
            other = await find_overlap(kind, venue, channel, starts_at, ends_at,
                                       drafts_under=drafts_under or paths[n])
            if other:
                error = _overlap_error(kind, other, principal)
                error.extra["item"] = n
                raise error
            rows = await Fair.insert(Fair(
                kind=kind, title=data["title"].strip(), description=data.get("description") or "",
                format=fmt, starts_at=starts_at, ends_at=ends_at, org=org_id, venue=venue,
                channel=channel, stream_url="", capacity=data.get("capacity"), status="draft",
                plan_id=plan_id,
            )).returning(Fair.id)
            ids.append(rows[0]["id"])
            await _set_themes(rows[0]["id"], industries, audiences)
            await hooks.fair_created.notify(hooks.NewFair(rows[0]["id"], kind, org_id, venue,
                                                          channel))
            await audit.record(principal, "fair.create", "fair", rows[0]["id"], after={
                "kind": kind, "title": data["title"], "starts_at": starts_at,
                "ends_at": ends_at, "venue": venue, "channel": channel, "org": org_id,
                "plan": plan_id}, org_path=paths[n])
    return ids
