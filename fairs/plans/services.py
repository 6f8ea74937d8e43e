"""Plans: targets, progress by aggregate SQL, and the planner's proposals and their acceptance.

Progress counts the fairs of the plan's organisation *and its sub-organisations* that start inside
the plan's dates: `scheduled` (published, not yet ended) and `held` (published and ended), by kind;
`on_track` when scheduled + held meets every target. Counts come from GROUP BY queries.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fairs import bounds, clock, db
from fairs import measures as read_model
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.errors import Conflict, Forbidden, Invalid, NotFound
from fairs.events import services as events
from fairs.events.tables import Fair
from fairs.i18n import N_, TZ

from . import planner
from .tables import DIMENSIONS, Plan, PlanTheme

TARGET_KINDS = ("offline", "online", "events", "employer_visits")
# progress' `attendance`: these measures over the plan's held fairs (fairs.measures).
ATTENDANCE = ("admissions", "walk_ins", "employers_present", "employer_visits", "online_views")
MAX_DAYS = 3 * 366
# The planner's work is bounded by its input: targets, the plan's span, days and choices.
MAX_TARGET = 1000
MAX_BLACKOUT = 366
MAX_CHOICES = 50


now = clock.now  # the one clock (tests set it)


today = clock.today_local


def day_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=TZ).astimezone(UTC)


# --- plans ------------------------------------------------------------------------------------

_COLUMNS = (Plan.all_columns(), Plan.org.code.as_alias("org_code"),
            Plan.org.path.as_alias("org_path"), Plan.org.name_zh.as_alias("org_name_zh"),
            Plan.org.name_en.as_alias("org_name_en"))


async def _themes(plan_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    out: dict[int, dict[str, dict[str, int]]] = {
        pid: {d: {} for d in DIMENSIONS} for pid in plan_ids}
    if plan_ids:
        for r in await PlanTheme.select().where(PlanTheme.plan.is_in(plan_ids)).order_by(
                PlanTheme.id):
            out[r["plan"]][r["dimension"]][r["code"]] = r["minimum"]
    return out


async def _decorate(rows: list[dict]) -> list[dict]:
    themes = await _themes([r["id"] for r in rows])
    for r in rows:
        r["industry_minimums"] = themes[r["id"]]["industry"]
        r["audience_minimums"] = themes[r["id"]]["audience"]
    return rows


async def get_plan(principal: Principal, plan_id: int) -> dict:
    row = await Plan.select(*_COLUMNS).where(Plan.id == plan_id).first()
    if row is None:
        raise NotFound("no such plan")
    if not principal.is_organiser or not accounts.in_subtree(principal, row["org_path"]):
        # Another organisation's plan: as if it did not exist.
        raise NotFound("no such plan")
    return (await _decorate([row]))[0]


async def list_plans(principal: Principal, limit: int = 100, offset: int = 0
                     ) -> tuple[list[dict], int]:
    if not 1 <= limit <= 500:
        raise Invalid("limit", "1 to 500")
    if offset < 0:
        raise Invalid("offset", "0 or more")
    if not principal.is_organiser:
        raise Forbidden("organisers only")
    query = Plan.select(*_COLUMNS)
    count = Plan.count()
    if not principal.is_admin:
        query = query.where(Plan.org.path.like(f"{principal.org_path}%"))
        count = count.where(Plan.org.path.like(f"{principal.org_path}%"))
    rows = await query.order_by(Plan.starts_on, ascending=False).order_by(Plan.id).limit(
        limit).offset(offset)
    return await _decorate(rows), await count


def _check_dates(starts_on: date, ends_on: date) -> None:
    bounds.check_date(starts_on, "starts_on")
    bounds.check_date(ends_on, "ends_on")
    if ends_on < starts_on:
        raise Invalid("ends_on", "must not be before starts_on")
    if (ends_on - starts_on).days > MAX_DAYS:
        raise Invalid("ends_on", "a plan spans at most three years")


def _check_targets(targets: dict[str, Any]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for key in TARGET_KINDS:
        value = targets.get(key)
        if value is None:
            out[key] = None if key in ("events", "employer_visits") else 0
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TARGET:
            raise Invalid(f"targets.{key}", N_("a whole number from 0 to 1,000"))
        out[key] = value
    unknown = set(targets) - set(TARGET_KINDS)
    if unknown:
        raise Invalid(f"targets.{sorted(unknown)[0]}",
                      f"unknown target; one of {', '.join(TARGET_KINDS)}")
    if not any(out.values()):
        raise Invalid("targets", "set at least one target")
    return out


async def _check_minimums(values: dict[str, int] | None, dimension: str) -> dict[str, int]:
    field = f"{dimension}_minimums"
    values = dict(values or {})
    if dimension == "industry":
        await catalog.check_industries(list(values), field)
    else:
        await catalog.check_audiences(list(values), field)
    for code, n in values.items():
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_TARGET:
            raise Invalid(f"{field}.{code}", N_("a whole number from 1 to 1,000"))
    return values


async def _write_themes(plan_id: int, dimension: str, values: dict[str, int]) -> None:
    await PlanTheme.delete().where((PlanTheme.plan == plan_id) & (PlanTheme.dimension == dimension))
    rows = [PlanTheme(plan=plan_id, dimension=dimension, code=c, minimum=n)
            for c, n in values.items()]
    if rows:
        await PlanTheme.insert(*rows)


async def create_plan(principal: Principal, data: dict[str, Any]) -> dict:
    title = bounds.check_text(data.get("title"), "title", 200, required=True)
    _check_dates(data["starts_on"], data["ends_on"])
    targets = _check_targets(dict(data.get("targets") or {}))
    industries = await _check_minimums(data.get("industry_minimums"), "industry")
    audiences = await _check_minimums(data.get("audience_minimums"), "audience")
    org = await accounts.org_by_code(data["org"]) if data.get("org") else None
    org_id = org["id"] if org else principal.org_id
    if org_id is None:
        raise Invalid("org", "required")
    await accounts.ensure_manages(principal, org_id)
    async with db.write_transaction():
        rows = await Plan.insert(Plan(
            org=org_id, title=title, starts_on=data["starts_on"], ends_on=data["ends_on"],
            target_offline=targets["offline"], target_online=targets["online"],
            target_events=targets["events"], target_employer_visits=targets["employer_visits"],
            created_by=principal.id,
        )).returning(Plan.id)
        plan_id = rows[0]["id"]
        await _write_themes(plan_id, "industry", industries)
        await _write_themes(plan_id, "audience", audiences)
    return await get_plan(principal, plan_id)


async def update_plan(principal: Principal, plan_id: int, changes: dict[str, Any]) -> dict:
    current = await get_plan(principal, plan_id)
    values: dict[Any, Any] = {}
    if "title" in changes:
        values[Plan.title] = bounds.check_text(changes["title"], "title", 200, required=True)
    starts_on = changes.get("starts_on", current["starts_on"])
    ends_on = changes.get("ends_on", current["ends_on"])
    _check_dates(starts_on, ends_on)
    values[Plan.starts_on] = starts_on
    values[Plan.ends_on] = ends_on
    if "targets" in changes:
        merged = {"offline": current["target_offline"], "online": current["target_online"],
                  "events": current["target_events"],
                  "employer_visits": current["target_employer_visits"]}
        merged.update(changes["targets"] or {})
        targets = _check_targets(merged)
        values.update({Plan.target_offline: targets["offline"],
                       Plan.target_online: targets["online"],
                       Plan.target_events: targets["events"],
                       Plan.target_employer_visits: targets["employer_visits"]})
    industries = (await _check_minimums(changes["industry_minimums"], "industry")
                  if "industry_minimums" in changes else None)
    audiences = (await _check_minimums(changes["audience_minimums"], "audience")
                 if "audience_minimums" in changes else None)
    values[Plan.updated_at] = now()
    async with db.write_transaction():
        await Plan.update(values).where(Plan.id == plan_id)
        if industries is not None:
            await _write_themes(plan_id, "industry", industries)
        if audiences is not None:
            await _write_themes(plan_id, "audience", audiences)
    return await get_plan(principal, plan_id)


async def delete_plan(principal: Principal, plan_id: int) -> None:
    """The plan and its minimums go; its fairs stay (they are real events), unlinked."""
    await get_plan(principal, plan_id)
    async with db.write_transaction():
        await Fair.update({Fair.plan_id: None}).where(Fair.plan_id == plan_id)
        await PlanTheme.delete().where(PlanTheme.plan == plan_id)
        await Plan.delete().where(Plan.id == plan_id)


# --- progress ---------------------------------------------------------------------------------


def _scope_sql(alias: str = "f") -> str:
    return (f"{alias}.starts_at >= {{}} AND {alias}.starts_at < {{}} AND {alias}.org IN "
            "(SELECT o.id FROM organisation o WHERE o.path LIKE {})")


def _scope_args(plan: dict) -> tuple:
    return (day_start(plan["starts_on"]), day_start(plan["ends_on"] + timedelta(days=1)),
            f"{plan['org_path']}%")


def _local_day_sql(column: str) -> str:
    return db.dialect.local_day(column)


async def _counts(plan: dict, at: datetime) -> list[dict]:
    """One round trip: counts by kind (published held / scheduled, drafts), and the published
    fairs by industry and by audience."""
    held = f"SUM(CASE WHEN {read_model.held('f')} THEN 1 ELSE 0 END)"
    scheduled = f"SUM(CASE WHEN {read_model.scheduled('f')} THEN 1 ELSE 0 END)"
    draft = "SUM(CASE WHEN f.status = 'draft' THEN 1 ELSE 0 END)"
    parts = [f"SELECT 'kind' AS dim, f.kind AS code, {held} AS held, {scheduled} AS scheduled,"
             f" {draft} AS draft FROM fair f WHERE f.status IN ('published', 'draft')"
             f" AND {_scope_sql()} GROUP BY f.kind"]
    args: list[Any] = [at, at, *_scope_args(plan)]
    for dimension, table in (("industry", "fair_industry"), ("audience", "fair_audience")):
        parts.append(
            f"SELECT '{dimension}' AS dim, t.{dimension} AS code, {held} AS held,"
            f" {scheduled} AS scheduled, 0 AS draft FROM {table} t JOIN fair f ON f.id = t.fair"
            f" WHERE f.status = 'published' AND {_scope_sql()} GROUP BY t.{dimension}")
        args += [at, at, *_scope_args(plan)]
    return await db.fetch(" UNION ALL ".join(parts), *args)


async def counts_by_kind(plan: dict, at: datetime, rows: list[dict] | None = None
                         ) -> dict[str, dict[str, int]]:
    rows = rows if rows is not None else await _counts(plan, at)
    out = {k: {"held": 0, "scheduled": 0, "draft": 0} for k in planner.KINDS}
    for r in rows:
        if r["dim"] == "kind":
            out[r["code"]] = {k: int(r[k] or 0) for k in ("held", "scheduled", "draft")}
    return out


async def coverage_counts(plan: dict, at: datetime, rows: list[dict] | None = None
                          ) -> dict[str, dict[str, dict[str, int]]]:
    """Per industry and per audience: the plan's published fairs serving it, held and not."""
    rows = rows if rows is not None else await _counts(plan, at)
    out: dict[str, dict[str, dict[str, int]]] = {d: {} for d in DIMENSIONS}
    for r in rows:
        if r["dim"] in out:
            out[r["dim"]][r["code"]] = {"held": int(r["held"] or 0),
                                        "scheduled": int(r["scheduled"] or 0)}
    return out


def _pace(remaining: int, days_left: int) -> dict[str, float]:
    weeks = max(days_left, 1) / 7
    return {"per_week": round(remaining / weeks, 2) if remaining else 0.0,
            "per_month": round(remaining / (max(days_left, 1) / 30.4), 2) if remaining else 0.0}


def _row(target: int | None, scheduled: int, held: int, draft: int, days_left: int) -> dict:
    done = scheduled + held
    remaining = max(0, (target or 0) - done)
    return {"target": target, "scheduled": scheduled, "held": held, "draft": draft,
            "remaining": remaining, "met": target is None or done >= target,
            "pace": _pace(remaining, days_left)}


def measure_scope(plan: dict, at: datetime) -> read_model.Scope:
    """The plan's held fairs for the read model: its organisation's subtree, starting within
    its dates (China time)."""
    return read_model.Scope(at=at, org_path=plan["org_path"],
                            start=day_start(plan["starts_on"]),
                            end=day_start(plan["ends_on"] + timedelta(days=1)))


async def plan_measures(plan: dict, at: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """The measures over the plan's held fairs (progress' `attendance`: the same numbers as
    GET /api/v1/reports/measures over the plan's dates and organisation), and the employer
    visits by kind."""
    scope = measure_scope(plan, at)
    totals = await read_model.totals(scope)
    attendance = {k: totals[k] for k in ATTENDANCE}
    return attendance, await read_model.visits_by_kind(scope)


async def progress(principal: Principal, plan_id: int, at: datetime | None = None) -> dict:
    plan = await get_plan(principal, plan_id)
    return await progress_of(plan, at)


async def progress_of(plan: dict, at: datetime | None = None) -> dict:
    at = at or now()
    local_today = at.astimezone(TZ).date()
    days_total = (plan["ends_on"] - plan["starts_on"]).days + 1
    first = max(plan["starts_on"], local_today)
    days_left = max(0, (plan["ends_on"] - first).days + 1)
    rows = await _counts(plan, at)
    kinds = await counts_by_kind(plan, at, rows)
    targets = {
        "offline": _row(plan["target_offline"], kinds["offline"]["scheduled"],
                        kinds["offline"]["held"], kinds["offline"]["draft"], days_left),
        "online": _row(plan["target_online"], kinds["online"]["scheduled"],
                       kinds["online"]["held"], kinds["online"]["draft"], days_left),
    }
    targets["events"] = _row(plan["target_events"],
                             sum(k["scheduled"] for k in kinds.values()),
                             sum(k["held"] for k in kinds.values()),
                             sum(k["draft"] for k in kinds.values()), days_left)
    attendance, by_kind = await plan_measures(plan, at)
    targets["employer_visits"] = {
        **_row(plan["target_employer_visits"], 0, attendance["employer_visits"], 0, days_left),
        "by_kind": by_kind}
    cover = await coverage_counts(plan, at, rows)
    coverage: dict[str, list[dict]] = {}
    for dimension, key in (("industry", "industries"), ("audience", "audiences")):
        minimums = plan[f"{dimension}_minimums"]
        counts = cover[dimension]
        items = []
        for code in sorted(set(minimums) | set(counts)):
            c = counts.get(code, {"held": 0, "scheduled": 0})
            minimum = minimums.get(code)
            items.append({"code": code, "minimum": minimum, "scheduled": c["scheduled"],
                          "held": c["held"],
                          "met": minimum is None or c["scheduled"] + c["held"] >= minimum})
        coverage[key] = items
    on_track = all(t["met"] for t in targets.values()) and all(
        i["met"] for items in coverage.values() for i in items)
    elapsed = min(max((local_today - plan["starts_on"]).days + 1, 0), days_total)
    return {
        "plan": plan["id"],
        "as_of": events.iso(at),
        "starts_on": plan["starts_on"].isoformat(),
        "ends_on": plan["ends_on"].isoformat(),
        "days_total": days_total,
        "days_elapsed": elapsed,
        "days_left": days_left,
        "targets": targets,
        "on_track": on_track,
        "coverage": coverage,
        "attendance": attendance,
    }


async def burnup(plan: dict, at: datetime | None = None) -> dict[str, list[tuple[date, int, int]]]:
    """Per kind, per local day with fairs: (day, published fairs starting that day, of which
    held). One GROUP BY; the page accumulates the few hundred day rows into lines."""
    at = at or now()
    day = _local_day_sql("f.starts_at")
    rows = await db.fetch(
        f"SELECT f.kind AS kind, {day} AS day, COUNT(*) AS n,"
        f" SUM(CASE WHEN {read_model.held('f')} THEN 1 ELSE 0 END) AS held"
        f" FROM fair f WHERE f.status = 'published' AND {_scope_sql()}"
        f" GROUP BY f.kind, {day} ORDER BY 2", at, *_scope_args(plan))
    out: dict[str, list[tuple[date, int, int]]] = {k: [] for k in planner.KINDS}
    for r in rows:
        d = r["day"] if isinstance(r["day"], date) else date.fromisoformat(str(r["day"])[:10])
        out[r["kind"]].append((d, int(r["n"]), int(r["held"] or 0)))
    return out


# --- the planner ------------------------------------------------------------------------------


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
        raise Invalid("max_per_day", "1 to 50")
    if c.day_ends <= c.day_starts:
        raise Invalid("day_ends", "must be after day_starts")
    for field in ("offline_minutes", "online_minutes"):
        value = getattr(c, field)
        if not 15 <= value <= 720:
            raise Invalid(field, "15 to 720 minutes")
    span = (datetime.combine(date.min, c.day_ends) - datetime.combine(date.min, c.day_starts))
    for field in ("offline_minutes", "online_minutes"):
        if timedelta(minutes=getattr(c, field)) > span:
            raise Invalid(field, "longer than the working hours")
    if len(c.blackout) > MAX_BLACKOUT:
        raise Invalid("blackout", N_("at most 366 dates"))
    for n, day in enumerate(c.blackout):
        bounds.check_date(day, f"blackout[{n}]")
    bounds.check_date(c.earliest, "earliest")
    for field in ("venues", "channels", "industries", "audiences"):
        if len(getattr(c, field) or ()) > MAX_CHOICES:
            raise Invalid(field, N_("at most 50 items"))


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
                              f"unknown or inactive: {missing[0]}")
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
    industries = c.industries if c.industries is not None else (
        tuple(plan["industry_minimums"]) or tuple(r["code"] for r in await catalog.industries()
                                                  if r.get("group") != "other"))
    audiences = c.audiences if c.audiences is not None else (
        tuple(plan["audience_minimums"]) or ("general",))
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
        raise Invalid("fairs", "nothing to accept")
    if len(fairs) > 1000:
        raise Invalid("fairs", "at most 1,000 fairs at once")
    first, last = day_start(plan["starts_on"]), day_start(plan["ends_on"] + timedelta(days=1))
    items = []
    for n, f in enumerate(fairs):
        starts_at = events.aware(f["starts_at"], f"fairs[{n}].starts_at")
        if not first <= starts_at < last:
            raise Invalid(f"fairs[{n}].starts_at", "outside the plan's dates")
        items.append({**f, "org": plan["org_code"],
                      "description": f.get("description") or ""})
    try:
        return await events.create_fairs(principal, items, plan_id=plan["id"],
                                         drafts_under=plan["org_path"])
    except Conflict as exc:
        item = exc.extra.get("item")
        if item is not None:
            exc.detail = f"fairs[{item}]: {exc.detail}"
        raise


async def publish_drafts(principal: Principal, plan_id: int) -> int:
    """Publish every draft linked to the plan, all or none (a draft whose place a published
    fair took meanwhile is a 409 and nothing is published); the number published."""
    plan = await get_plan(principal, plan_id)
    # Drafts whose time has passed stay drafts (publishing one would count it as held at once).
    rows = await Fair.select(Fair.id).where(
        (Fair.plan_id == plan["id"]) & (Fair.status == "draft")
        & (Fair.ends_at > events.now())).order_by(Fair.starts_at)
    published = 0
    async with db.write_transaction():
        for r in rows:
            await events.get_fair_for_update(principal, r["id"])
            published += await events.publish_locked(principal, r["id"])
    return published


# --- helpers for pages ------------------------------------------------------------------------


def month_grid(first: date, last: date) -> list[dict]:
    """Months between two dates as weeks of days (Monday first), for a calendar."""
    months = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        nxt = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
        weeks: list[list[date | None]] = []
        week: list[date | None] = [None] * cursor.weekday()
        d = cursor
        while d < nxt:
            week.append(d)
            if len(week) == 7:
                weeks.append(week)
                week = []
            d += timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        months.append({"month": cursor, "weeks": weeks})
        cursor = nxt
    return months


def by_day(fairs: list[dict]) -> dict[date, list[dict]]:
    out: dict[date, list[dict]] = {}
    for f in fairs:
        d = datetime.fromisoformat(f["starts_at"]).astimezone(TZ).date()
        out.setdefault(d, []).append(f)
    return out


def cumulative(points: list[tuple[date, int, int]]) -> tuple[list[tuple[date, int]],
                                                              list[tuple[date, int]]]:
    """Accumulate (day, n, held) rows into the scheduled+held line and the held line."""
    total = held = 0
    all_line, held_line = [], []
    for d, n, h in points:
        total += n
        held += h
        all_line.append((d, total))
        held_line.append((d, held))
    return all_line, held_line


def nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return int(math.ceil(top))
    return value


def count_kinds(fairs: list[dict]) -> Counter:
    return Counter(f["kind"] for f in fairs)
