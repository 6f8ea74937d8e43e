"""Pages: the organiser's report (/organiser/reports), a fair's printable summary
(/organiser/fairs/{id}/summary), and an employer's "record an intention" page
(/employer/fairs/{id}/intentions). The ticket page's "employers interested in you" section is
offered through the hook fairs.hooks.ticket_sections."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from babel.numbers import format_percent
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup

from fairs import clock, labels, measures
from fairs.accounts import services as accounts
from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import Conflict, Invalid
from fairs.events.services import KINDS
from fairs.hooks import PageSection
from fairs.i18n import N_, TZ, babel_locale, gettext
from fairs.web import page

from . import charts, services
from . import funnel as funnels
from .api import FILTER_QUERY, RawFilter, measure_filter, min_cell
from .services import MEASURES, PERSON_MEASURES

MEASURE_NAMES = measures.MEASURE_NAMES  # one label per measure, from the read model
SECTION_NAMES = {
    "month": N_("By month"),
    "org": N_("By organisation"),
    "kind": N_("By kind"),
    "industry": N_("By industry"),
    "audience": N_("By job seekers' target group"),
}
SECTION_NOTES = {
    "org": N_("Sub-totals include the organisations below; \"own fairs\" are an "
              "organisation's own."),
    "industry": N_("A fair serving several industries counts in each of them, and once in "
                   "the total."),
    "audience": N_("Job seekers' own declared target groups, in aggregate only; a person "
                   "declaring two counts in both. Counts below %(n)s are shown as \"<%(n)s\"."),
}
KIND_NAMES = labels.FAIR_KIND_PLURAL
FAIR_KIND_NAMES = labels.FAIR_KIND
FILTER_KEYS = ("from", "to", "org", "kind", "industry", "audience")


# The services' messages shown on the pages, marked so that they are translated.
SERVICE_MESSAGES = [
    N_("no such ticket"), N_("a ticket for another fair"), N_("this ticket is cancelled"),
    N_("not one of your company's positions at this fair"),
    N_("choose one of your positions"), N_("required"), N_("the fair is cancelled"),
    N_("intentions are recorded at the fair: from an hour before it starts to a day after "
       "it ends"),
    N_("must not be before from"), N_("a date YYYY-MM-DD or an RFC 3339 time"),
]


async def ticket_intentions_section(request: Request, ticket: dict,
                                    fair: dict) -> PageSection | None:
    """The ticket page's "employers interested in you" (none: no section)."""
    found = await services.intentions_for_ticket(ticket["id"])
    if not found:
        return None
    return PageSection("reports/_ticket_intentions.html", order=60,
                       context={"intentions": found})


def fair_summary_section(request: Request, fair: dict) -> PageSection | None:
    """On /fairs/{id}, for the fair's organisers once it has ended: a link to its summary."""
    principal = request.scope.get("user")
    if (principal is None or not principal.is_organiser or fair.get("status") != "published"
            or fair["ends_at"] > services.now()
            or not accounts.in_subtree(principal, fair.get("org_path") or "")):
        return None
    return PageSection("reports/_fair_summary_section.html", order=80, slot="aside")


def _month_counts(report: dict) -> dict[int, int]:
    year = report["year"]
    out: dict[int, int] = {}
    for row in report["sections"]["month"]:
        key = row["key"]
        if row["kind"] == "row" and key.startswith(f"{year}-"):
            out[int(key[5:7])] = row["values"]["events_held"]
    return out


def _charts(report: dict) -> dict[str, Markup]:
    per_month = _month_counts(report)
    held = sum(per_month.values())
    target = report["target"]
    monthly = charts.events_per_month(
        report["year"], per_month, target,
        summary=gettext("%(year)s: %(held)s events held of a target of %(target)s",
                        year=report["year"], held=held, target=target),
        labels={"target": gettext("Target"), "pace": gettext("Even pace"),
                "cumulative": gettext("Held so far")})
    fairs = [{**f, "date": f["starts_at"].astimezone(TZ).strftime("%Y-%m-%d")}
             for f in report["fairs"]]
    attendance = charts.attendance_per_fair(
        fairs, summary=gettext("Job seekers admitted at each of %(n)s fairs held", n=len(fairs)))
    return {"monthly": Markup(monthly), "attendance": Markup(attendance)}


def fmt_pct(value: float | None) -> str:
    """A rate as the reader's locale writes a percentage ("80.5%"); "—" when unknown."""
    if value is None:
        return "—"
    return format_percent(value, "#,##0.0%", locale=babel_locale())


def _funnel_chart(funnel: dict) -> Markup:
    totals = funnel["totals"]
    steps = [(gettext(funnels.STEP_NAMES[s]), totals["values"][s],
              fmt_pct(totals["rates"][s]["of_previous"]) if s in totals["rates"] else "")
             for s in funnel["steps"]]
    summary = gettext("Of %(n)s registered, %(hires)s were hired",
                      n=totals["values"]["registered"], hires=totals["values"]["hires"])
    return Markup(charts.funnel_bars(steps, summary=summary))


def _default_year(raw: dict[str, str | None]) -> dict[str, str | None]:
    """The page opens on this year when no dates are given (the API counts all time)."""
    if raw.get("from") or raw.get("to") or raw.get("all"):
        return raw
    year = clock.today_local().year
    return {**raw, "from": date(year, 1, 1).isoformat(), "to": date(year, 12, 31).isoformat()}


class ReportPages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/reports", dependencies=FILTER_QUERY)
    async def report(self, request: Request, raw: NamedDependency[RawFilter]) -> Template:
        principal = require(request)
        raw = _default_year({**raw, "all": request.query_params.get("all")})
        errors: dict[str, str] = {}
        report = funnel = None
        try:
            flt = measure_filter(raw["from"], raw["to"], raw["org"], raw["kind"],
                                 raw["industry"], raw["audience"])
            report = await services.report(principal, flt, min_cell=min_cell(request))
            funnel = await funnels.funnel(report["scope"], min_cell=min_cell(request))
        except Invalid as exc:
            errors = exc.field_texts() or {"_": exc.detail}
        query = urlencode({k: raw[k] for k in FILTER_KEYS if raw.get(k)})
        orgs = await accounts.list_orgs(None if principal.is_admin else principal.org_path)
        return page(request, "reports/report.html", report=report, errors=errors,
                    filters=raw, query=query, orgs=orgs, kinds=KINDS,
                    industries=await catalog.industries(), audiences=await catalog.audiences(),
                    charts=_charts(report) if report else None,
                    measures=MEASURES, person_measures=PERSON_MEASURES,
                    measure_names=MEASURE_NAMES, section_names=SECTION_NAMES,
                    section_notes=SECTION_NOTES, kind_names=KIND_NAMES,
                    funnel=funnel, funnel_chart=_funnel_chart(funnel) if funnel else None,
                    funnel_names=funnels.STEP_NAMES, funnel_dims=funnels.DIM_NAMES,
                    fmt_pct=fmt_pct)

    @get("/fairs/{fair_id:int}/summary")
    async def summary(self, request: Request, fair_id: FromPath[int]) -> Template:
        data = await services.fair_summary(require(request), fair_id)
        return page(request, "reports/summary.html", measure_keys=MEASURES,
                    measure_names=MEASURE_NAMES, kind_names=FAIR_KIND_NAMES, **data)


class IntentionPages(Controller):
    path = "/employer/fairs/{fair_id:int}/intentions"
    guards = [employer_guard]
    include_in_schema = False

    async def _page(self, request: Request, fair_id: int, *, status_code: int = 200,
                    errors: dict | None = None, values: dict | None = None,
                    notice: str | None = None) -> Template:
        fair = await services.employer_fair(require(request), fair_id)
        return page(request, "reports/intentions.html", status_code=status_code, fair=fair,
                    positions=await services.employer_positions(fair["employer"], fair_id),
                    recent=await services.recent_intentions(fair["employer"], fair_id),
                    errors=errors or {}, values=values or {}, notice=notice)

    @get("/")
    async def form(self, request: Request, fair_id: FromPath[int]) -> Template:
        notice = request.query_params.get("notice")
        values = {"position": request.query_params.get("position", "")}
        return await self._page(request, fair_id, values=values,
                                notice=notice if notice in ("created", "again") else None)

    @post("/", status_code=303)
    async def record(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        code = str(data.get("code", "") or "")
        raw_position = str(data.get("position", "") or "").strip()
        values = {"code": code, "position": raw_position}
        try:
            if not raw_position.isdigit():
                raise Invalid("position", N_("choose one of your positions"), code="required")
            _row, created = await services.record_intention(require(request), fair_id, code,
                                                            int(raw_position))
        except (Invalid, Conflict) as exc:
            errors = exc.field_texts() or {"_": exc.detail}
            return await self._page(request, fair_id, status_code=exc.status, errors=errors,
                                    values=values)
        notice = "created" if created else "again"
        return Redirect(path=f"/employer/fairs/{fair_id}/intentions?notice={notice}"
                             f"&position={raw_position}", status_code=303)


ROUTES = [ReportPages, IntentionPages]
