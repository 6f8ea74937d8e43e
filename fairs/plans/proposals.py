"""The planner's proposals for a plan (fairs.plans.planner does the search, without the
database): the organiser's constraints, the request built from the plan and its progress, the
proposal, its acceptance as draft fairs, and publishing the drafts."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from fairs import bounds, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.errors import Conflict, Invalid
from fairs.events import services as events
from fairs.events.tables import Fair
from fairs.i18n import N_, TZ

from . import planner
from .progress import _local_day_sql, _scope_sql, progress_of
from .services import (
    MAX_BLACKOUT,
    MAX_CHOICES,
    day_start,
    get_plan,
    now,
)


@dataclass(frozen=True)
class Constraints(planner.Rules):
    """What the organiser asks of the planner: its rules (planner.Rules, with the blackout days
    in the order given), and the places and themes to use."""
    blackout: tuple[date, ...] = ()
    venues: tuple[int, ...] | None = None  # None: every active venue of the org's subtree
    channels: tuple[int, ...] | None = None
    industries: tuple[str, ...] | None = None  # key industries (None: the plan's, else all)
    audiences: tuple[str, ...] | None = None  # named audiences (None: the plan's, else general)
    earliest: date | None = None

    def rules(self) -> planner.Rules:
        values = {f.name: getattr(self, f.name) for f in fields(planner.Rules)}
        return planner.Rules(**{**values, "blackout": frozenset(self.blackout)})


def check_constraints(c: Constraints) -> None:
    if not 1 <= c.max_per_day <= 50:
        raise Invalid("max_per_day", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 50})
    if c.day_ends <= c.day_starts:
        raise Invalid("day_ends", N_("must be after {other}"), code="before_start",
                      params={"other": "day_starts"})
    if c.online_ends <= c.online_starts:
        raise Invalid("online_ends", N_("must be after {other}"), code="before_start",
                      params={"other": "online_starts"})
    for field in ("offline_minutes", "online_minutes"):
        value = getattr(c, field)
        if not 15 <= value <= 720:
            raise Invalid(field, N_("from {lo} to {hi} minutes"), code="out_of_range",
                          params={"lo": 15, "hi": 720})
    for field, kind in (("offline_minutes", "offline"), ("online_minutes", "online")):
        first, last = planner.hours(c, kind)
        span = datetime.combine(date.min, last) - datetime.combine(date.min, first)
        if timedelta(minutes=getattr(c, field)) > span:
            raise Invalid(field, N_("longer than the working hours") if kind == "offline"
                          else N_("longer than the livestream hours"), code="too_long")
    if len(c.blackout) > MAX_BLACKOUT:
        raise Invalid("blackout", N_("at most {n} dates"), code="too_many",
                      params={"n": MAX_BLACKOUT})
    for n, day in enumerate(c.blackout):
        bounds.check_date(day, f"blackout[{n}]")
    bounds.check_date(c.earliest, "earliest")
    for field in ("venues", "channels", "industries", "audiences"):
        if len(getattr(c, field) or ()) > MAX_CHOICES:
            raise Invalid(field, N_("at most {n} items"), code="too_many",
                          params={"n": MAX_CHOICES})


async def _places(plan: dict, c: Constraints) -> list[planner.Place]:
    """Venues and channels the plan may use: the named ones, or the active ones of the plan's
    organisation, its parents and its subtree (a district's fairs use the city's hall too)."""
    places: list[planner.Place] = []
    path = plan["org_path"]
    org_paths = {o["id"]: o["path"] for o in await accounts.list_orgs()}
    for kind, rows, chosen in (("offline", await catalog.venues(), c.venues),
                               ("online", await catalog.channels(), c.channels)):
        ids = {r["id"] for r in rows}
        if chosen is not None:
            missing = [i for i in chosen if i not in ids]
            if missing:
                raise Invalid("venues" if kind == "offline" else "channels",
                              N_("unknown or inactive: {id}"), code="unknown_place",
                              params={"id": str(missing[0])})
            picked = [r for r in rows if r["id"] in set(chosen)]
        else:
            picked = []
            for r in rows:
                owner = org_paths.get(r["org_id"], "\0")
                if owner.startswith(path) or path.startswith(owner):
                    picked.append(r)
        places += [planner.Place(kind, r["id"], r["name"]) for r in picked]
    return places


async def _names() -> dict[str, str]:
    names = {r["code"]: r["name_zh"] for r in await catalog.industries()}
    names.update({r["code"]: r["name_zh"] for r in await catalog.audiences()})
    return names


async def planner_request(plan: dict, c: Constraints, at: datetime | None = None
                          ) -> planner.Request:
    check_constraints(c)
    at = at or now()
    current = await progress_of(plan, at)
    t = current["targets"]
    # The gap: what published fairs and the plan's drafts do not already cover.
    need_off = max(0, t["offline"]["remaining"] - t["offline"]["draft"])
    need_on = max(0, t["online"]["remaining"] - t["online"]["draft"])
    need_any = max(0, t["events"]["remaining"] - t["events"]["draft"] - need_off - need_on) \
        if plan["target_events"] else 0
    earliest = max(c.earliest or date.min, at.astimezone(TZ).date() + timedelta(days=1))
    window_start = day_start(max(plan["starts_on"], earliest))
    window_end = day_start(plan["ends_on"] + timedelta(days=1))
    busy = await events.busy_intervals(window_start - timedelta(days=1),
                                       window_end + timedelta(days=1), plan["org_path"])
    load_rows = await db.fetch(
        f"SELECT {_local_day_sql('f.starts_at')} AS day, COUNT(*) AS n FROM fair f"
        f" WHERE f.status != 'cancelled' AND {_scope_sql()} GROUP BY 1",
        window_start, window_end, f"{plan['org_path']}%")
    day_load = {date.fromisoformat(str(r["day"])[:10]): int(r["n"]) for r in load_rows}
    # The themes rotate over every key industry ("5+5+7") and every target group of the
    # catalogue, the plan's own minimums first (fairs.plans.themes shares them out fairly).
    industries = c.industries if c.industries is not None else tuple(dict.fromkeys(
        [*plan["industry_minimums"], *(r["code"] for r in await catalog.industries()
                                       if r.get("group") != "other")]))
    audiences = c.audiences if c.audiences is not None else tuple(dict.fromkeys(
        [*plan["audience_minimums"], *(r["code"] for r in await catalog.audiences())]))
    if c.industries is not None:
        await catalog.check_industries(list(industries), "industries")
    if c.audiences is not None:
        await catalog.check_audiences(list(audiences), "audiences")
    cover = current["coverage"]
    owed_ind = {i["code"]: i["minimum"] - i["scheduled"] - i["held"]
                for i in cover["industries"] if i["minimum"] and not i["met"]}
    owed_aud = {i["code"]: i["minimum"] - i["scheduled"] - i["held"]
                for i in cover["audiences"] if i["minimum"] and not i["met"]}
    return planner.Request(
        starts_on=plan["starts_on"], ends_on=plan["ends_on"], earliest=earliest,
        need={"offline": need_off, "online": need_on}, need_any=need_any,
        places=tuple(await _places(plan, c)),
        busy=tuple(planner.Busy(b["kind"], b["venue"] if b["kind"] == "offline" else b["channel"],
                                b["starts_at"], b["ends_at"]) for b in busy),
        day_load=day_load,
        rules=c.rules(),
        industries=tuple(industries), audiences=tuple(audiences),
        industry_minimums=owed_ind, audience_minimums=owed_aud,
        covered_industries=frozenset(i["code"] for i in cover["industries"]
                                     if i["scheduled"] + i["held"] > 0),
        covered_audiences=frozenset(i["code"] for i in cover["audiences"]
                                    if i["scheduled"] + i["held"] > 0),
        names=await _names(),
    )


async def propose(principal: Principal, plan_id: int, c: Constraints,
                  at: datetime | None = None) -> dict:
    """The one place proposals are made: nothing is saved."""
    plan = await get_plan(principal, plan_id)
    req = await planner_request(plan, c, at)
    result = planner.propose(req)
    place_names = {(p.kind, p.id): p.name for p in req.places}
    fairs = []
    for f in result.fairs:
        fairs.append({
            "kind": f.kind, "title": f.title, "starts_at": events.iso(f.starts_at),
            "ends_at": events.iso(f.ends_at),
            "venue": f.place_id if f.kind == "offline" else None,
            "channel": f.place_id if f.kind == "online" else None,
            "place_name": place_names.get((f.kind, f.place_id), ""),
            "industries": list(f.industries), "audiences": list(f.audiences),
        })
    answer: dict[str, Any] = {
        "plan": plan["id"],
        "fairs": fairs,
        "meets_targets": result.meets_targets,
        "wanted": {"offline": req.need["offline"], "online": req.need["online"],
                   "any": req.need_any},
        "uncovered": {"industries": result.uncovered_industries,
                      "audiences": result.uncovered_audiences},
        "calendar": {
            "usable_days": result.usable_days,
            "excluded": result.excluded,
            "estimated_years": result.estimated_years,
            "holidays": [{"date": d.isoformat(), "name": n} for d, n in result.holidays],
        },
    }
    if result.shortfall:
        answer["shortfall"] = result.shortfall
    return answer


async def accept(principal: Principal, plan_id: int, fairs: list[dict[str, Any]]) -> list[int]:
    """Create the proposal's fairs as drafts linked to the plan: all or nothing. A clash with a
    fair created meanwhile is a 409 naming it."""
    plan = await get_plan(principal, plan_id)
    if not fairs:
        raise Invalid("fairs", N_("nothing to accept"), code="required")
    if len(fairs) > 1000:
        raise Invalid("fairs", N_("at most {n} items"), code="too_many", params={"n": 1000})
    first, last = day_start(plan["starts_on"]), day_start(plan["ends_on"] + timedelta(days=1))
    items = []
    for n, f in enumerate(fairs):
        starts_at = events.aware(f["starts_at"], f"fairs[{n}].starts_at")
        if not first <= starts_at < last:
            raise Invalid(f"fairs[{n}].starts_at", N_("outside the plan's dates"),
                          code="outside_plan")
        items.append({**f, "org": plan["org_code"],
                      "description": f.get("description") or ""})
    try:
        return await events.create_fairs(principal, items, plan_id=plan["id"],
                                         drafts_under=plan["org_path"])
    except Conflict as exc:
        item = exc.extra.get("item")
        if item is not None:
            exc.reworded(N_("fairs[{item}]: {reason}"), item=str(item))
        raise


async def publishable_drafts(principal: Principal, plan_id: int) -> list[dict]:
    """The drafts `publish_drafts` would publish (what its confirmation names): those linked to
    the plan that have not ended, soonest first."""
    plan = await get_plan(principal, plan_id)
    # Drafts whose time has passed stay drafts (publishing one would count it as held at once).
    return await Fair.select(Fair.id, Fair.kind, Fair.title, Fair.starts_at, Fair.ends_at).where(
        (Fair.plan_id == plan["id"]) & (Fair.status == "draft")
        & (Fair.ends_at > events.now())).order_by(Fair.starts_at)


async def publish_drafts(principal: Principal, plan_id: int) -> int:
    """Publish every draft linked to the plan, all or none (a draft whose place a published
    fair took meanwhile is a 409 and nothing is published); the number published."""
    rows = await publishable_drafts(principal, plan_id)
    published = 0
    async with db.write_transaction():
        for r in rows:
            await events.get_fair_for_update(principal, r["id"])
            published += await events.publish_locked(principal, r["id"])
    return published
