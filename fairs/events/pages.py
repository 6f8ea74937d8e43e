"""Fair pages: the public list, the month calendar and the fair page; the organiser's list and
the fair editor (create, edit, publish, cancel, delete).

Every rule is the events service's: a page parses the form, calls the service, and shows the
`fairs.errors` it raises next to the field they name (a 409 overlap with a link to the other fair).
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import format_skeleton
from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from fairs import bounds, clock, hooks, i18n
from fairs.accounts import services as accounts
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.catalog.reference import INDUSTRY_GROUPS
from fairs.errors import Conflict, FairsError, FieldError, Invalid, NotFound
from fairs.hooks import PageSection
from fairs.i18n import N_, TZ
from fairs.web import page

from . import services
from .services import FORMATS, KINDS, STATUSES, FairFilter, day_start

PAGE_SIZE = 20
ORGANISER_PAGE_SIZE = 50

KIND_NAMES = {"offline": N_("Offline fair"), "online": N_("Online livestream")}
FORMAT_NAMES = {
    "special": N_("Special fair"),
    "campus": N_("Campus talent tour"),
    "spring-breeze": N_("Spring Breeze campaign"),
    "matchmaking": N_("Supply-demand matchmaking"),
    "general": N_("General fair"),
    "livestream": N_("Livestream hiring"),
    "outreach": N_("Outreach to firms, parks, villages and communities"),
}
STATUS_NAMES = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "cancelled": N_("Cancelled"),
    "held": N_("Held"),
}
# The events service's field messages, marked so that they are shown translated.
SERVICE_MESSAGES = [
    N_("must be after starts_at"), N_("a fair lasts at most 14 days"),
    N_("an offline fair needs a venue"), N_("an online fair needs a channel"),
    N_("unknown venue"), N_("unknown channel"), N_("say why the fair is cancelled"),
    N_("must be an http(s) address"), N_("required"), N_("must be after booking_opens_at"),
    N_("must be after registration_opens_at"), N_("at most 300 characters"),
    N_("1 to 1,000,000"), N_("at most 20,000 characters"), N_("at most 1,000 characters"),
    N_("a date and time"), N_("a whole number"), N_("a date YYYY-MM-DD"),
    N_("a cancelled fair cannot be changed"), N_("a cancelled fair cannot be published"),
    N_("the fair is already cancelled"),
    N_("only drafts can be deleted; cancel a published fair instead"),
]
FIELD_NAMES = {
    "kind": N_("Kind"), "title": N_("Title"), "format": N_("Format"), "venue": N_("Venue"),
    "channel": N_("Livestream channel"), "stream_url": N_("Livestream address"),
    "starts_at": N_("Starts"), "ends_at": N_("Ends"), "capacity": N_("Capacity"),
    "industries": N_("Industries"), "audiences": N_("Audiences"),
    "description": N_("Description"), "org": N_("Organisation"),
    "booking_opens_at": N_("Booth booking opens"),
    "booking_closes_at": N_("Booth booking closes"),
    "registration_opens_at": N_("Registration opens"),
    "registration_closes_at": N_("Registration closes"), "reason": N_("Reason"),
}
WINDOWS = services.WINDOW_FIELDS


# --- formatting -----------------------------------------------------------------------------


def local(value: datetime) -> datetime:
    return value.astimezone(TZ)


def fmt_when(fair: dict) -> str:
    """"2027年3月5日星期五 09:00–12:00", or both ends in full when it spans days."""
    start, end = local(fair["starts_at"]), local(fair["ends_at"])
    if start.date() == end.date():
        return (f"{i18n.format_date(start, 'full')} "
                f"{i18n.format_time(start)}–{i18n.format_time(end)}")
    return f"{i18n.format_datetime(start, 'medium')} – {i18n.format_datetime(end, 'medium')}"


def fmt_hours(fair: dict) -> str:
    """A list card's time next to its date block: "09:30–12:30", in full when it spans days."""
    start, end = local(fair["starts_at"]), local(fair["ends_at"])
    if start.date() == end.date():
        return f"{i18n.format_time(start)}–{i18n.format_time(end)}"
    return fmt_when(fair)


def fmt_skeleton(skeleton: str, value: date) -> str:
    return format_skeleton(skeleton, value, locale=i18n.babel_locale())


def input_value(value: datetime | None) -> str:
    """A datetime-local field's value, in China time."""
    return local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def status_of(fair: dict) -> str:
    return "held" if services.is_held(fair) else fair["status"]


def themes_names(items: list[dict]) -> dict[str, str]:
    return {r["code"]: i18n.pick(r["name_zh"], r["name_en"]) for r in items}


# --- parsing forms and queries --------------------------------------------------------------


def _one(form: dict[str, Any], key: str) -> str:
    value = form.get(key, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "").strip()


def _many(form: dict[str, Any], key: str) -> list[str]:
    value = form.get(key) or []
    if not isinstance(value, list):
        value = [value]
    return [str(v).strip() for v in value if str(v).strip()]


def parse_form(form: dict[str, Any], *, kind: str) -> dict[str, Any]:
    """The editor's fields as the service's `data`; malformed values are an Invalid naming
    every field at fault. Rules (end after start, a venue for an offline fair...) are the
    service's."""
    problems: list[tuple[str, str]] = []

    def when(key: str) -> datetime | None:
        raw = _one(form, key)
        if not raw:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            problems.append((key, "a date and time"))
            return None

    def number(key: str) -> int | None:
        raw = _one(form, key)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            problems.append((key, "a whole number"))
            return None

    data: dict[str, Any] = {
        "kind": kind,
        "title": _one(form, "title"),
        "format": _one(form, "format") or ("livestream" if kind == "online" else "special"),
        "description": str(form.get("description") or "").strip(),
        "stream_url": _one(form, "stream_url"),
        "capacity": number("capacity"),
        "industries": _many(form, "industries"),
        "audiences": _many(form, "audiences"),
        "venue": number("venue") if kind == "offline" else None,
        "channel": number("channel") if kind == "online" else None,
    }
    for key in ("starts_at", "ends_at"):
        data[key] = when(key)
        if data[key] is None and not any(k == key for k, _m in problems):
            problems.append((key, "required"))
    for key in WINDOWS:
        data[key] = when(key)
    if _one(form, "org"):
        data["org"] = _one(form, "org")
    if problems:
        field, message = problems[0]
        raise Invalid(field, message, errors=[FieldError(f, m) for f, m in problems[1:]])
    return data


def parse_day(raw: str | None) -> date | None:
    """A list's day filter; malformed or outside 2000..2100 gives None (the page says so)."""
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if bounds.in_range(value) else None


def parse_month(raw: str | None) -> date:
    """The month view's `month` (YYYY-MM; malformed or blank: this month). A month outside
    2000..2100 is a 422 naming `month`."""
    try:
        year, month = (int(x) for x in (raw or "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        today = clock.today_local()
        return today.replace(day=1)
    return bounds.check_date(first, "month")


def next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def prev_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def query_url(path: str, params: dict[str, Any], **changes: Any) -> str:
    merged = {**params, **changes}
    clean = {k: v for k, v in merged.items() if v not in (None, "", False)}
    return f"{path}?{urlencode(clean)}" if clean else path


@dataclass
class Catalogue:
    industries: list[dict]
    audiences: list[dict]
    industry_names: dict[str, str]
    audience_names: dict[str, str]
    industry_groups: list[tuple[str, list[dict]]]


async def load_catalogue() -> Catalogue:
    industries = await catalog.industries()
    audiences = await catalog.audiences()
    groups: list[tuple[str, list[dict]]] = []
    for code, (zh, en) in INDUSTRY_GROUPS.items():
        members = [i for i in industries if i["group"] == code]
        if members:
            groups.append((i18n.pick(zh, en), members))
    others = [i for i in industries if i["group"] not in INDUSTRY_GROUPS]
    if others:
        groups.append((i18n.gettext("Other industries"), others))
    return Catalogue(industries, audiences, themes_names(industries), themes_names(audiences),
                     groups)


# What every fair template (and its macros, which take it as `ev`) uses to show names and times.
HELPERS = SimpleNamespace(
    kind_names=KIND_NAMES, format_names=FORMAT_NAMES, status_names=STATUS_NAMES,
    field_names=FIELD_NAMES, fmt_when=fmt_when, fmt_hours=fmt_hours, status_of=status_of,
    input_value=input_value,
    fmt_skeleton=fmt_skeleton, local=local, done_messages=None,
)


def common(**context: Any) -> dict[str, Any]:
    context["ev"] = HELPERS
    return context


async def district_choices() -> list[dict]:
    return [o for o in await accounts.list_orgs() if o["kind"] in ("city", "district", "area",
                                                                    "street")]


# --- the public pages -----------------------------------------------------------------------

Text = Annotated[str | None, QueryParameter(max_length=200)]


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
    ) -> Template:
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
        return page(request, "events/list.html", **common(
            fairs=rows, total=total, page_no=page_no, pages=pages, params=params,
            page_url=lambda n: query_url("/fairs", params, page=n if n > 1 else None),
            calendar_url=query_url("/fairs/calendar", {**params, "from": None, "to": None,
                                                       "past": None}),
            cat=cat, orgs=orgs, bad_dates=(bool(from_) and not start) or (bool(to) and not end),
        ))

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
    async def fair_page(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = request.scope.get("user")
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
        return page(request, "events/fair.html", **common(
            fair=fair, venue=venue, org=org, cat=cat, can_edit=can_edit,
            stream_url=fair["stream_url"] or fair["channel_url"] or "",
            sections=[s for s in sections if s.slot != "aside"],
            aside_sections=[s for s in sections if s.slot == "aside"],
            status=status_of(fair),
        ))


async def upcoming_section(request: Any) -> PageSection | None:
    """The home page's "upcoming fairs" section."""
    rows, total = await services.list_fairs(
        None, FairFilter(status="published", start=services.now()), 6, 0)
    return PageSection("events/_home_section.html",
                       context={"fairs": rows, "total": total, **common()})


# --- the organiser's pages ------------------------------------------------------------------


def field_errors(exc: FairsError) -> tuple[dict[str, list[str]], list[str]]:
    """Field messages (translated where known) and the messages that name no field."""
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        fields.setdefault(e.field, []).append(i18n.gettext(e.message))
    general = [] if exc.errors else [i18n.gettext(exc.detail)]
    return fields, general


class OrganiserFairPages(Controller):
    path = "/organiser/fairs"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/")
    async def list_page(
        self, request: Request, status: Text = None, when: Text = None, org: Text = None,
        q: Text = None, deleted: Text = None,
        page_no: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template:
        principal = require(request)
        orgs = await accounts.list_orgs(None if principal.is_admin else principal.org_path)
        codes = {o["code"] for o in orgs}
        when = when if when in ("upcoming", "past", "all") else "upcoming"
        flt = FairFilter(
            status=status if status in STATUSES else None,
            org=org if org in codes else (principal.org_code if not principal.is_admin
                                          else None),
            q=(q or "").strip()[:100] or None,
        )
        if when == "upcoming":
            flt.start = services.now()
        elif when == "past":
            flt.end = services.now()
        rows, total = await services.list_fairs(principal, flt, ORGANISER_PAGE_SIZE,
                                                (page_no - 1) * ORGANISER_PAGE_SIZE)
        params = {"status": flt.status, "when": when if when != "upcoming" else None,
                  "org": org if org in codes else None, "q": flt.q}
        return page(request, "events/organiser_list.html", **common(
            fairs=rows, total=total, page_no=page_no, params=params, when=when, orgs=orgs,
            pages=max(1, ceil(total / ORGANISER_PAGE_SIZE)), statuses=STATUSES,
            deleted=bool(deleted),
            page_url=lambda n: query_url("/organiser/fairs", params, page=n if n > 1 else None),
        ))

    async def _editor(self, request: Request, *, fair: dict | None, values: dict[str, Any],
                      status_code: int = 200, error: FairsError | None = None,
                      done: str | None = None, cancel_reason: str = "") -> Template:
        principal = require(request)
        errors, general = field_errors(error) if error else ({}, [])
        conflict = None
        if isinstance(error, Conflict) and error.extra.get("conflicting_fair"):
            other_id = error.extra["conflicting_fair"]
            try:
                conflict = await services.get_fair(other_id, principal, decorate=False)
            except NotFound:
                conflict = {"id": other_id, "title": "", "starts_at": None, "ends_at": None}
            errors = {k: [] for k in errors}  # shown as the conflict sentence instead
        return page(request, "events/editor.html", status_code=status_code, **common(
            fair=fair, values=values, errors=errors, general=general, conflict=conflict,
            done=done, cancel_reason=cancel_reason, cat=await load_catalogue(),
            venues=await catalog.venues(), channels=await catalog.channels(),
            orgs=await accounts.list_orgs(None if principal.is_admin else principal.org_path),
            formats=FORMATS, kinds=KINDS, windows=WINDOWS,
        ))

    @get("/new")
    async def new_page(self, request: Request, kind: Text = None) -> Template:
        principal = require(request)
        kind = kind if kind in KINDS else "offline"
        values = {"kind": kind, "format": "livestream" if kind == "online" else "special",
                  "org": principal.org_code, "industries": [], "audiences": []}
        return await self._editor(request, fair=None, values=values)

    @post("/", status_code=303)
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        principal = require(request)
        kind = _one(data, "kind")
        values = form_values(data)
        try:
            if kind not in KINDS:
                raise Invalid("kind", "required")
            parsed = parse_form(data, kind=kind)
            fair = await services.create_fair(principal, parsed)
        except FairsError as exc:
            return await self._editor(request, fair=None, values=values, error=exc,
                                      status_code=error_status(exc))
        return Redirect(path=f"/organiser/fairs/{fair['id']}?done=created", status_code=303)

    @get("/{fair_id:int}")
    async def edit_page(self, request: Request, fair_id: FromPath[int],
                        done: Text = None) -> Template:
        principal = require(request)
        await services.get_fair_for_update(principal, fair_id)  # 403 outside the subtree
        fair = await services.get_fair(fair_id, principal)
        return await self._editor(request, fair=fair, values=fair_values(fair),
                                  done=done if done in DONE_MESSAGES else None)

    @post("/{fair_id:int}", status_code=303)
    async def update(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        principal = require(request)
        await services.get_fair_for_update(principal, fair_id)  # 403 before the form is read
        fair = await services.get_fair(fair_id, principal)
        values = form_values(data, kind=fair["kind"])
        try:
            parsed = parse_form(data, kind=fair["kind"])
            parsed.pop("kind")
            parsed.pop("org", None)
            parsed.pop("venue" if fair["kind"] == "online" else "channel")
            await services.update_fair(principal, fair_id, parsed)
        except FairsError as exc:
            if exc.status in (401, 403):
                raise
            return await self._editor(request, fair=fair, values=values, error=exc,
                                      status_code=error_status(exc))
        return Redirect(path=f"/organiser/fairs/{fair_id}?done=saved", status_code=303)

    @post("/{fair_id:int}/publish", status_code=303)
    async def publish(self, request: Request, fair_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        return await self._act(request, fair_id, "published",
                               lambda p: services.publish(p, fair_id))

    @post("/{fair_id:int}/cancel", status_code=303)
    async def cancel(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        reason = str(data.get("reason") or "")
        return await self._act(request, fair_id, "cancelled",
                               lambda p: services.cancel(p, fair_id, reason),
                               cancel_reason=reason)

    @post("/{fair_id:int}/delete", status_code=303)
    async def delete(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        return await self._act(request, fair_id, "deleted",
                               lambda p: services.delete_fair(p, fair_id))

    async def _act(self, request: Request, fair_id: int, done: str, action,
                   cancel_reason: str = "") -> Template | Redirect:
        principal = require(request)
        try:
            await action(principal)
        except (Invalid, Conflict) as exc:
            fair = await services.get_fair(fair_id, principal)
            return await self._editor(request, fair=fair, values=fair_values(fair), error=exc,
                                      status_code=error_status(exc),
                                      cancel_reason=cancel_reason)
        if done == "deleted":
            return Redirect(path="/organiser/fairs?deleted=1", status_code=303)
        return Redirect(path=f"/organiser/fairs/{fair_id}?done={done}", status_code=303)


DONE_MESSAGES = {
    "created": N_("The fair is saved as a draft. Publish it when it is ready."),
    "saved": N_("Your changes are saved."),
    "published": N_("The fair is published: the public can see it now."),
    "cancelled": N_("The fair is cancelled; its page shows the reason."),
}


def error_status(exc: FairsError) -> int:
    """A form the service refused: 409 for a conflict, 403 for another organisation's,
    else 422 (an unknown venue is the form's field error, not a missing page)."""
    return exc.status if exc.status in (403, 409) else 422


def form_values(form: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
    """What the person typed, to fill the form again after an error."""
    values = {k: _one(form, k) for k in ("kind", "title", "format", "venue", "channel",
                                         "stream_url", "starts_at", "ends_at", "capacity",
                                         "org", *WINDOWS)}
    values["description"] = str(form.get("description") or "")
    values["industries"] = _many(form, "industries")
    values["audiences"] = _many(form, "audiences")
    if kind:
        values["kind"] = kind
    return values


def fair_values(fair: dict) -> dict[str, Any]:
    values = {k: fair[k] for k in ("kind", "title", "format", "stream_url", "description",
                                   "industries", "audiences")}
    values.update(
        venue=str(fair["venue"] or ""), channel=str(fair["channel"] or ""),
        capacity=str(fair["capacity"] or ""), org=fair["org_code"],
        starts_at=input_value(fair["starts_at"]), ends_at=input_value(fair["ends_at"]),
        **{k: input_value(fair[k]) for k in WINDOWS},
    )
    return values


HELPERS.done_messages = DONE_MESSAGES

ROUTES = [PublicFairPages, OrganiserFairPages]
