"""Plans: their targets and themes, created, read, changed and deleted, and the pages' calendar
helpers. A plan's progress is in fairs.plans.progress, the planner's proposals in
fairs.plans.proposals."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fairs import bounds, clock, db
from fairs.accounts import services as accounts
from fairs.accounts.services import Principal
from fairs.catalog import services as catalog
from fairs.errors import Forbidden, Invalid, NotFound
from fairs.events.tables import Fair
from fairs.i18n import N_, TZ

from .tables import DIMENSIONS, Plan, PlanTheme

TARGET_KINDS = ("offline", "online", "events", "employer_visits")
# progress' `attendance`: these measures over the plan's held fairs (fairs.measures).
ATTENDANCE = ("admissions", "walk_ins", "employers_present", "employer_visits", "online_views",
              "intentions", "hires")
MAX_DAYS = 3 * 366
# The planner's work is bounded by its input: targets, the plan's span, days and choices.
MAX_TARGET = 1000
# Employer-service visits are no fairs to plan (服务企业不少于3000家次): a larger bound.
MAX_VISITS_TARGET = 100_000
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
        raise NotFound(N_("no such plan"))
    if not principal.is_organiser or not accounts.in_subtree(principal, row["org_path"]):
        # Another organisation's plan: as if it did not exist.
        raise NotFound(N_("no such plan"))
    return (await _decorate([row]))[0]


async def list_plans(principal: Principal, limit: int = 100, offset: int = 0
                     ) -> tuple[list[dict], int]:
    if not 1 <= limit <= 500:
        raise Invalid("limit", N_("a whole number from {lo} to {hi}"), code="out_of_range",
                      params={"lo": 1, "hi": 500})
    if offset < 0:
        raise Invalid("offset", N_("at least {n}"), code="too_small", params={"n": 0})
    if not principal.is_organiser:
        raise Forbidden(N_("Only organisers can do this."), code="organisers_only")
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
        raise Invalid("ends_on", N_("must not be before {other}"), code="before_start",
                      params={"other": "starts_on"})
    if (ends_on - starts_on).days > MAX_DAYS:
        raise Invalid("ends_on", N_("a plan spans at most three years"), code="too_long")


def _check_targets(targets: dict[str, Any]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for key in TARGET_KINDS:
        value = targets.get(key)
        if value is None:
            out[key] = None if key in ("events", "employer_visits") else 0
            continue
        hi = MAX_VISITS_TARGET if key == "employer_visits" else MAX_TARGET
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= hi:
            raise Invalid(f"targets.{key}", N_("a whole number from {lo} to {hi}"),
                          code="out_of_range", params={"lo": 0, "hi": hi})
        out[key] = value
    unknown = set(targets) - set(TARGET_KINDS)
    if unknown:
        raise Invalid(f"targets.{sorted(unknown)[0]}", N_("unknown target; one of {choices}"),
                      code="unknown_target", params={"choices": TARGET_KINDS})
    if not any(out.values()):
        raise Invalid("targets", N_("set at least one target"), code="required")
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
            raise Invalid(f"{field}.{code}", N_("a whole number from {lo} to {hi}"),
                          code="out_of_range", params={"lo": 1, "hi": MAX_TARGET})
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
        raise Invalid("org", N_("required"), code="required")
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
