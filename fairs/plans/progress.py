"""A plan's progress: the fairs scheduled and held against its targets, its coverage of the
themes, the measures over its held fairs (fairs.measures) and its burn-up, by aggregate SQL.

Progress counts the fairs of the plan's organisation *and its sub-organisations* that start inside
the plan's dates: `scheduled` (published, not yet ended) and `held` (published and ended), by kind;
`on_track` when scheduled + held meets every target (and the themes' minimums); `status` its pace
(`pace_status`: not started, behind, on track, ahead, done). Counts come from GROUP BY queries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from fairs import db
from fairs import measures as read_model
from fairs.accounts.services import Principal
from fairs.events import services as events
from fairs.i18n import TZ

from . import planner
from .services import ATTENDANCE, day_start, get_plan, now
from .tables import DIMENSIONS


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


# A plan's pace, from the earliest to the latest; the page shows it by these names.
PACE = ("not_started", "behind", "on_track", "ahead", "done")


def pace_status(goals: Iterable[tuple[int | None, int, int]], starts_on: date, ends_on: date,
                today: date) -> str:
    """How the plan is doing, from its targets as (target, held, scheduled + held): the one
    rule the plan list, the dashboard and the API use.

    - "not_started": before its first day;
    - "done": every target met by fairs held (early, or when the period ended); after its last
      day a target not met makes it "behind" (it was missed);
    - during the period, per target, against the even pace (target × full days elapsed / days):
      "behind" when fewer fairs were held than the pace asks and the scheduled ones do not make up
      the target; "ahead" when the held ones exceed the pace by a tenth of the target (at least
      one); else "on_track". The plan takes its worst target's status (a target already met does
      not hold it back); a plan without targets is "on_track".
    """
    goals = [(t, held, committed) for t, held, committed in goals if t]
    if today < starts_on:
        return "not_started"
    met = all(held >= t for t, held, _ in goals)
    if today > ends_on:
        return "done" if met else "behind"
    if not goals:
        return "on_track"
    if met:
        return "done"
    days_total = (ends_on - starts_on).days + 1
    elapsed = (today - starts_on).days  # full days before today: nothing is due on day one
    statuses = []
    for t, held, committed in goals:
        if held >= t:
            continue
        expected = t * elapsed / days_total
        if held < math.floor(expected) and committed < t:
            statuses.append("behind")
        elif held >= expected + max(1.0, t / 10):
            statuses.append("ahead")
        else:
            statuses.append("on_track")
    return min(statuses, key=PACE.index)


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
    totals, by_kind = await read_model.totals_and_visits(measure_scope(plan, at))
    return {k: totals[k] for k in ATTENDANCE}, by_kind


async def visits_by_month(plan: dict, at: datetime | None = None) -> dict[str, dict[str, int]]:
    """The plan's employer-service visits (家次) by local month and kind, for its dashboard:
    the read model's, over the same scope as `plan_measures` (they add up to its
    employer_visits and its by_kind)."""
    return await read_model.visits_by_month(measure_scope(plan, at or now()))


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
    status = pace_status(((t["target"], t["held"], t["held"] + t["scheduled"])
                          for t in targets.values()),
                         plan["starts_on"], plan["ends_on"], local_today)
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
        "status": status,
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


async def scheduled_fairs(plan: dict, limit: int = 2000) -> list[dict]:
    """The fairs already on the plan's calendar: its organisation's subtree, starting within its
    dates, published or draft (cancelled ones are not), for the planner's calendar."""
    rows = await db.fetch(
        f"SELECT f.id, f.kind, f.title, f.status, f.starts_at, f.ends_at FROM fair f"
        f" WHERE f.status IN ('published', 'draft') AND {_scope_sql()}"
        f" ORDER BY f.starts_at, f.id LIMIT {int(limit)}", *_scope_args(plan))
    return [{**r, "starts_at": events.iso(db.as_datetime(r["starts_at"])),
             "ends_at": events.iso(db.as_datetime(r["ends_at"]))} for r in rows]
