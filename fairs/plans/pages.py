"""Organiser pages: the plans, a plan's dashboard (burn-up chart, coverage), the planner."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup, escape

from fairs import bounds, clock, validation
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import Conflict, FairsError, Invalid, Message
from fairs.i18n import N_, format_date, format_datetime, gettext
from fairs.measures import MEASURE_NAMES, VISIT_KINDS
from fairs.web import form_date, form_int, page

from . import progress as plan_progress
from . import proposals, services
from .planner import KINDS
from .schemas import ProposedFairIn

# The pace of a plan (progress.pace_status) as the pages name it, and its badge's class.
PACE_NAMES = {"not_started": N_("Not started"), "behind": N_("Behind"),
              "on_track": N_("On pace"), "ahead": N_("Ahead of pace"), "done": N_("Targets met")}
PACE_BADGES = {"not_started": "", "behind": "warn", "on_track": "ok", "ahead": "ok",
               "done": "ok"}

_PROPOSAL = Annotated[list[ProposedFairIn], msgspec.Meta(min_length=1, max_length=1000)]


def _date(data: dict[str, Any], field: str) -> date:
    value = form_date(data, field)
    if value is None:
        raise Invalid(field, N_("a date YYYY-MM-DD"), code="required")
    return value


def _time(raw: str | None, field: str, default: time) -> time:
    if not raw:
        return default
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(field, N_("a time HH:MM"), code="invalid_time") from exc


def _dates(raw: str) -> tuple[date, ...]:
    parts = raw.replace(",", " ").replace("，", " ").split()
    if len(parts) > services.MAX_BLACKOUT:
        raise Invalid("blackout", N_("at most {n} dates"), code="too_many",
                      params={"n": services.MAX_BLACKOUT})
    return tuple(bounds.parse_date(part, "blackout") for part in parts)


# --- the burn-up chart ----------------------------------------------------------------------

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 260, 44, 16, 16, 34


def burnup_svg(kind: str, plan: dict, target: int | None, points: list[tuple[date, int, int]],
               today: date) -> Markup:
    """A server-rendered burn-up: the target line, the even pace to it, published fairs
    (scheduled + held) and held fairs, accumulated by their day, and today."""
    start, end = plan["starts_on"], plan["ends_on"]
    span = max((end - start).days + 1, 1)
    all_line, held_line = services.cumulative(points)
    total = all_line[-1][1] if all_line else 0
    top = services.nice_max(max(target or 0, total, 1))

    def x(d: date) -> float:
        return round(PAD_L + (W - PAD_L - PAD_R) * min(max((d - start).days, 0), span) / span, 1)

    def y(v: float) -> float:
        return round(PAD_T + (H - PAD_T - PAD_B) * (1 - v / top), 1)

    def steps(line: list[tuple[date, int]], until: date) -> str:
        pts = [f"{x(start)},{y(0)}"]
        last = 0
        for d, v in line:
            pts.append(f"{x(d)},{y(last)}")
            pts.append(f"{x(d)},{y(v)}")
            last = v
        pts.append(f"{x(until)},{y(last)}")
        return " ".join(pts)

    end_x = end + timedelta(days=1)
    label = gettext("Offline fairs") if kind == "offline" else gettext("Online fairs")
    held = held_line[-1][1] if held_line else 0
    summary = gettext("%(label)s: target %(target)s, published %(total)s, held %(held)s",
                      label=label, target=target if target is not None else "–", total=total,
                      held=held)
    parts = [f'<svg class="burnup" viewBox="0 0 {W} {H}" role="img" '
             f'aria-label="{escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(summary)}</title>"]
    for i in range(5):
        v = top * i / 4
        parts.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(v)}" '
                     f'y2="{y(v)}"/>')
        parts.append(f'<text class="tick" x="{PAD_L - 6}" y="{y(v) + 4}" '
                     f'text-anchor="end">{int(v) if v == int(v) else round(v, 1)}</text>')
    month = date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            parts.append(f'<line class="grid" x1="{x(month)}" x2="{x(month)}" y1="{PAD_T}" '
                         f'y2="{H - PAD_B}"/>')
        parts.append(f'<text class="tick" x="{max(x(month), PAD_L) + 3}" y="{H - PAD_B + 16}">'
                     f'{month.month}/{month.year % 100:02d}</text>')
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if target:
        parts.append(f'<line class="pace" x1="{x(start)}" y1="{y(0)}" x2="{x(end_x)}" '
                     f'y2="{y(target)}"><title>{escape(gettext("Even pace"))}</title></line>')
        parts.append(f'<line class="target" x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(target)}" '
                     f'y2="{y(target)}"><title>{escape(gettext("Target"))}</title></line>')
    parts.append(f'<polyline class="published" points="{steps(all_line, end_x)}">'
                 f'<title>{escape(gettext("Scheduled and held"))}</title></polyline>')
    held_until = min(max(today, start), end_x)
    parts.append(f'<polyline class="held" points="{steps(held_line, held_until)}">'
                 f'<title>{escape(gettext("Held"))}</title></polyline>')
    if start <= today <= end:
        parts.append(f'<line class="today" x1="{x(today)}" x2="{x(today)}" y1="{PAD_T}" '
                     f'y2="{H - PAD_B}"/>')
        parts.append(f'<text class="tick today-label" x="{x(today) + 3}" y="{PAD_T + 10}">'
                     f'{escape(gettext("today"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- pages ----------------------------------------------------------------------------------


async def _names() -> tuple[dict[str, dict], dict[str, dict]]:
    return ({r["code"]: r for r in await catalog.industries()},
            {r["code"]: r for r in await catalog.audiences()})


def _constraints(q: dict[str, Any], run: bool) -> proposals.Constraints:
    return proposals.Constraints(
        max_per_day=form_int(q, "max_per_day", 2, lo=1, hi=50) or 2,
        blackout=_dates(str(q.get("blackout", "") or "")),
        weekdays_only=bool(q.get("weekdays_only")) if run else True,
        allow_consecutive=bool(q.get("allow_consecutive")),
        day_starts=_time(q.get("day_starts"), "day_starts", time(9)),
        day_ends=_time(q.get("day_ends"), "day_ends", time(17)),
        online_starts=_time(q.get("online_starts"), "online_starts", time(14)),
        online_ends=_time(q.get("online_ends"), "online_ends", time(21)),
        offline_minutes=form_int(q, "offline_minutes", 180, lo=15, hi=720) or 180,
        online_minutes=form_int(q, "online_minutes", 120, lo=15, hi=720) or 120,
    )


class PlanPages(Controller):
    path = "/organiser/plans"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/")
    async def list_plans(self, request: Request) -> Template:
        principal = require(request)
        rows, total = await services.list_plans(principal, 500, 0)
        progress = {r["id"]: await plan_progress.progress_of(r) for r in rows}
        first = date(clock.today_local().year, 1, 1)
        return page(request, "plans/list.html", plans=rows, total=total, progress=progress,
                    pace_names=PACE_NAMES, pace_badges=PACE_BADGES,
                    defaults={"starts_on": first, "ends_on": date(first.year, 12, 31)})

    @post("/", status_code=303)
    async def create_plan(self, request: Request, data: FormData) -> Redirect:
        targets = {k: form_int(data, f"target_{k}", lo=0, hi=services.MAX_VISITS_TARGET
                               if k == "employer_visits" else services.MAX_TARGET)
                   for k in services.TARGET_KINDS}
        plan = await services.create_plan(require(request), {
            "title": str(data.get("title", "")), "starts_on": _date(data, "starts_on"),
            "ends_on": _date(data, "ends_on"),
            "targets": {k: v for k, v in targets.items() if v is not None},
        })
        return Redirect(path=f"/organiser/plans/{plan['id']}", status_code=303)

    @get("/{plan_id:int}")
    async def dashboard(self, request: Request, plan_id: FromPath[int]) -> Template:
        plan = await services.get_plan(require(request), plan_id)
        progress = await plan_progress.progress_of(plan)
        points = await plan_progress.burnup(plan)
        today = clock.today_local()
        charts = {k: burnup_svg(k, plan, progress["targets"][k]["target"], points[k], today)
                  for k in KINDS}
        industries, audiences = await _names()
        drafts = await proposals.publishable_drafts(require(request), plan_id)
        visits = await plan_progress.visits_by_month(plan)
        return page(request, "plans/dashboard.html", plan=plan, progress=progress,
                    publishable=len(drafts), visits=visits, visit_kinds=VISIT_KINDS,
                    charts=charts, industries=industries, audiences=audiences,
                    measure_names=MEASURE_NAMES, attendance_keys=services.ATTENDANCE,
                    pace_names=PACE_NAMES, pace_badges=PACE_BADGES,
                    notice=request.query_params.get("notice"),
                    count=request.query_params.get("n"))

    @post("/{plan_id:int}/publish", status_code=303)
    async def publish_all(self, request: Request, plan_id: FromPath[int],
                          data: FormData) -> Template | Redirect:
        """Publishing every draft is a bulk action: it needs `confirm=yes` and the number of
        drafts the person agreed to (`n`); without them, or when that number is no longer
        right, the answer is a page that says what will be published, with the button that
        does it (confirm.js asks in a dialog instead, when the browser runs it)."""
        principal = require(request)
        drafts = await proposals.publishable_drafts(principal, plan_id)
        agreed = form_int(data, "n", lo=0, hi=100_000)
        if data.get("confirm") != "yes" or agreed != len(drafts):
            changed = data.get("confirm") == "yes" and agreed != len(drafts)
            return page(
                request, "confirm.html", status_code=200,
                heading=gettext("Publish %(n)s drafts", n=len(drafts)),
                question=gettext("Publish %(n)s drafts? The public sees them at once and "
                                 "booking and registration open.", n=len(drafts)),
                note=gettext("The drafts changed since you looked: check them again.")
                if changed else "",
                items=[f"{format_datetime(d['starts_at'])} · {d['title']}" for d in drafts],
                action=f"/organiser/plans/{plan_id}/publish", fields={"n": len(drafts)},
                button=gettext("Publish %(n)s drafts", n=len(drafts)),
                back=f"/organiser/plans/{plan_id}", danger=False)
        n = await proposals.publish_drafts(principal, plan_id)
        return Redirect(path=f"/organiser/plans/{plan_id}?notice=published&n={n}",
                        status_code=303)

    @get("/{plan_id:int}/planner")
    async def planner(self, request: Request, plan_id: FromPath[int]) -> Template:
        principal = require(request)
        plan = await services.get_plan(principal, plan_id)
        q = dict(request.query_params)
        run = q.get("run") == "1"
        proposal = error = None
        c = proposals.Constraints()
        try:
            c = _constraints(q, run)
            if run:
                proposal = await proposals.propose(principal, plan_id, c)
        except Invalid as exc:
            error = exc
        return await self._planner_page(request, plan, c, q, proposal, error)

    async def _planner_page(self, request: Request, plan: dict, c: proposals.Constraints,
                            q: dict, proposal: dict | None, error: FairsError | None,
                            status_code: int = 200) -> Template:
        industries, audiences = await _names()
        months = services.month_grid(plan["starts_on"], plan["ends_on"])
        days = services.by_day(proposal["fairs"]) if proposal else {}
        scheduled = services.by_day(await plan_progress.scheduled_fairs(plan))
        holidays = ({date.fromisoformat(h["date"]): h["name"]
                     for h in proposal["calendar"]["holidays"]} if proposal else {})
        return page(
            request, "plans/planner.html", status_code=status_code, plan=plan, c=c, q=q,
            proposal=proposal, error=error, months=months, days=days, holidays=holidays,
            scheduled=scheduled,
            industries=industries, audiences=audiences,
            blackout=" ".join(d.isoformat() for d in c.blackout),
            proposal_json=json.dumps(proposal["fairs"], ensure_ascii=False) if proposal else "",
            counts=services.count_kinds(proposal["fairs"]) if proposal else {},
            fmt_month=lambda d: format_date(d, "yyyy-MM"),
        )

    @post("/{plan_id:int}/accept", status_code=303)
    async def accept(self, request: Request, plan_id: FromPath[int],
                     data: FormData) -> Redirect | Template:
        principal = require(request)
        plan = await services.get_plan(principal, plan_id)
        raw = str(data.get("proposal", "") or "[]").encode()
        if bounds.json_depth_exceeds(raw):
            raise Invalid("proposal", N_("not a proposal"), code="malformed")
        try:  # the API's schema, with its bounds on every field
            fairs = [msgspec.structs.asdict(f) for f in msgspec.json.decode(raw, type=_PROPOSAL)]
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            message, params, code = validation.parse(str(exc))
            raise Invalid("proposal", N_("not a proposal: {reason}"), code=code,
                          params={"reason": Message(message, params)}) from exc
        try:
            ids = await proposals.accept(principal, plan_id, fairs)
        except Conflict as exc:
            c = _constraints({}, False)
            return await self._planner_page(request, plan, c, {}, None, exc, status_code=409)
        return Redirect(path=f"/organiser/plans/{plan_id}?notice=accepted&n={len(ids)}",
                        status_code=303)

ROUTES = [PlanPages]
