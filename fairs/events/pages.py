"""Fair pages: the public list, the month calendar and the fair page, and the home page's
upcoming fairs; the organiser's list and editor are in fairs.events.editor, what both share in
fairs.events.pagekit.
"""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, timedelta
from math import ceil
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from fairs import clock, hooks, i18n
from fairs.accounts import services as accounts
from fairs.catalog import services as catalog
from fairs.errors import NotFound
from fairs.hooks import PageSection
from fairs.pagecache import Rendered, anonymous, cached_page
from fairs.web import page

from . import services, stamps
from .editor import OrganiserFairPages
from .pagekit import (
    PAGE_SIZE,
    Text,
    common,
    district_choices,
    fmt_skeleton,
    load_catalogue,
    local,
    next_month,
    parse_day,
    parse_month,
    prev_month,
    query_url,
    status_of,
)
from .services import KINDS, FairFilter, day_start

# --- the public pages -----------------------------------------------------------------------


def public_filter(kind: str | None, industry: str | None, audience: str | None,
                  org: str | None, q: str | None, org_codes: set[str]) -> FairFilter:
    return FairFilter(
        kind=kind if kind in KINDS else None,
        industry=industry or None,
        audience=audience or None,
        org=org if org in org_codes else None,
        q=(q or "").strip()[:100] or None,
    )


class PublicFairPages(Controller):
    include_in_schema = False

    @get("/fairs")
    async def list_page(
        self, request: Request, kind: Text = None, industry: Text = None, audience: Text = None,
        org: Text = None, q: Text = None, from_: Annotated[str | None, QueryParameter(
            name="from", max_length=40)] = None, to: Text = None, past: Text = None,
        page_no: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template | Response:
        async def build() -> Rendered:
            return await self._list(request, kind, industry, audience, org, q, from_, to,
                                    past, page_no)

        if anonymous(request):
            return await cached_page(request, "fairs", await stamps.list_stamp(), build)
        rendered = await build()
        return page(request, rendered.template, **rendered.context)

    async def _list(self, request: Request, kind: str | None, industry: str | None,
                    audience: str | None, org: str | None, q: str | None, from_: str | None,
                    to: str | None, past: str | None, page_no: int) -> Rendered:
        cat = await load_catalogue()
        orgs = await district_choices()
        flt = public_filter(kind, industry, audience, org, q, {o["code"] for o in orgs})
        start, end = parse_day(from_), parse_day(to)
        flt.start = day_start(start) if start else (None if past else services.now())
        flt.end = day_start(end + timedelta(days=1)) if end else None
        rows, total = await services.list_fairs(request.scope.get("user"), flt, PAGE_SIZE,
                                                (page_no - 1) * PAGE_SIZE)
        params = {"kind": flt.kind, "industry": flt.industry, "audience": flt.audience,
                  "org": flt.org, "q": flt.q, "from": start.isoformat() if start else None,
                  "to": end.isoformat() if end else None, "past": "1" if past else None}
        pages = max(1, ceil(total / PAGE_SIZE))
        return Rendered("events/list.html", common(
            fairs=rows, total=total, page_no=page_no, pages=pages, params=params,
            page_url=lambda n: query_url("/fairs", params, page=n if n > 1 else None),
            calendar_url=query_url("/fairs/calendar", {**params, "from": None, "to": None,
                                                       "past": None}),
            cat=cat, orgs=orgs, bad_dates=(bool(from_) and not start) or (bool(to) and not end),
        ), until=await stamps.next_list_change())

    @get("/fairs/calendar")
    async def calendar_page(
        self, request: Request, month: Text = None, kind: Text = None, industry: Text = None,
        audience: Text = None, org: Text = None, q: Text = None,
    ) -> Template:
        first = parse_month(month)
        after = next_month(first)
        cat = await load_catalogue()
        orgs = await district_choices()
        flt = public_filter(kind, industry, audience, org, q, {o["code"] for o in orgs})
        flt.start, flt.end = day_start(first), day_start(after)
        rows, total = await services.list_fairs(request.scope.get("user"), flt, 500, 0)
        by_day: dict[date, list[dict]] = {}
        for fair in rows:
            d = max(local(fair["starts_at"]).date(), first)
            last = min(local(fair["ends_at"] - timedelta(microseconds=1)).date(),
                       after - timedelta(days=1))
            while d <= last:
                by_day.setdefault(d, []).append(fair)
                d += timedelta(days=1)
        weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        loc = i18n.babel_locale()
        weekdays = [(loc.days["format"]["wide"][i], loc.days["format"]["abbreviated"][i])
                    for i in range(7)]
        params = {"kind": flt.kind, "industry": flt.industry, "audience": flt.audience,
                  "org": flt.org, "q": flt.q}
        month_key = first.strftime("%Y-%m")
        return page(request, "events/calendar.html", **common(
            first=first, month_key=month_key, weeks=weeks, by_day=by_day,
            days=sorted(by_day), weekdays=weekdays, today=clock.today_local(),
            total=total, truncated=total > len(rows), params=params,
            month_title=fmt_skeleton("yMMMM", first),
            prev_url=query_url("/fairs/calendar", params, month=prev_month(first).strftime(
                "%Y-%m")),
            next_url=query_url("/fairs/calendar", params, month=after.strftime("%Y-%m")),
            this_url=query_url("/fairs/calendar", params),
            list_url=query_url("/fairs", {**params, "from": first.isoformat(),
                                          "to": (after - timedelta(days=1)).isoformat()}),
            cat=cat, orgs=orgs,
        ))

    @get("/fairs/{fair_id:int}")
    async def fair_page(self, request: Request, fair_id: FromPath[int]) -> Template | Response:
        if anonymous(request):
            stamp = await stamps.fair_stamp(fair_id)
            if stamp is not None:
                return await cached_page(request, f"fair:{fair_id}", stamp,
                                         lambda: self._fair(request, fair_id))
        rendered = await self._fair(request, fair_id)
        return page(request, rendered.template, **rendered.context)

    async def _fair(self, request: Request, fair_id: int) -> Rendered:
        principal = request.scope.get("user")
        at = services.now()
        fair = await services.get_fair(fair_id, principal)
        cat = await load_catalogue()
        venue = None
        if fair["venue"]:
            try:
                venue = await catalog.venue(fair["venue"])
            except NotFound:
                venue = None
        org = await accounts.org_by_code(fair["org_code"])
        can_edit = bool(principal and principal.is_organiser
                        and accounts.in_subtree(principal, fair["org_path"]))
        sections = await hooks.sections(hooks.fair_sections, request, fair)
        return Rendered("events/fair.html", common(
            fair=fair, venue=venue, org=org, cat=cat, can_edit=can_edit,
            stream_url=fair["stream_url"] or fair["channel_url"] or "",
            sections=[s for s in sections if s.slot != "aside"],
            aside_sections=[s for s in sections if s.slot == "aside"],
            status=status_of(fair),
        ), until=stamps.next_fair_change(fair, at))


async def upcoming_section(request: Any) -> PageSection | None:
    """The home page's "upcoming fairs" section."""
    rows, total = await services.list_fairs(
        None, FairFilter(status="published", start=services.now()), 6, 0)
    return PageSection("events/_home_section.html",
                       context={"fairs": rows, "total": total, **common()})


ROUTES = [PublicFairPages, OrganiserFairPages]
