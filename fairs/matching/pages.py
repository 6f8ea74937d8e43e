"""Pages: the optional profile on the registration form and on the ticket page (edit, delete),
"Positions for you" on the ticket page (marking interest through the booths slice's interest
flow) and on the fair page (the browser's remembered ticket, through the API), and what an
employer sees of the demand for its positions (its positions page, /employer/fairs/{id}/seekers).
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs import clock, i18n
from fairs.accounts.auth import employer_guard, require
from fairs.accounts.pages import FormData
from fairs.booths import interests
from fairs.catalog import services as catalog
from fairs.employers.labels import EDUCATION_LABELS, JOB_TYPE_LABELS, LABELS
from fairs.employers.positions import JOB_TYPES
from fairs.errors import FairsError
from fairs.events import services as events
from fairs.hooks import HeldBooking, PageSection
from fairs.i18n import N_
from fairs.web import page

from . import demand, services, walk
from .services import EDUCATIONS, FORM_PREFIX, MAX_DISTRICTS, MAX_INDUSTRIES

REASONS = {"industry": N_("industry matches"), "education": N_("education fits"),
           "job_type": N_("job type matches"), "pay": N_("pay meets your expectation"),
           "district": N_("in your district")}
SHOWN = 10  # positions listed on the ticket page at first; the rest behind "more"
LISTED = 60  # at most this many on the page
NO_STORE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex"}


def reasons_text(reasons: list[str]) -> str:
    """"行业匹配、学历符合" / "industry matches, education fits"."""
    words = [i18n.gettext(REASONS[r]) for r in reasons if r in REASONS]
    return ("、" if i18n.current_locale.get() == "zh_CN" else ", ").join(words)


async def _choices() -> dict:
    """What the profile's fields offer."""
    return {"industries": await catalog.industries(),
            "districts": await services.district_choices(),
            "education_codes": EDUCATIONS, "job_type_codes": JOB_TYPES,
            "education_labels": EDUCATION_LABELS, "job_type_labels": JOB_TYPE_LABELS,
            "max_industries": MAX_INDUSTRIES, "max_districts": MAX_DISTRICTS}


def form_values(profile: dict | None) -> dict:
    """A stored profile as the form's `profile_*` values."""
    if not profile:
        return {}
    return {FORM_PREFIX + "industries": profile["industries"],
            FORM_PREFIX + "job_types": profile["job_types"],
            FORM_PREFIX + "education": profile["education"],
            FORM_PREFIX + "major": profile["major"],
            FORM_PREFIX + "districts": profile["districts"],
            FORM_PREFIX + "expected_pay": profile["expected_pay"] or "",
            FORM_PREFIX + "consent": True,
            FORM_PREFIX + "contact": profile["consent_contact"]}


# --- sections of other slices' pages -----------------------------------------------------------


async def profile_form_section(request: Request, fair: dict, form: dict,
                               errors: dict) -> PageSection | None:
    """fairs.hooks.registration_form_sections: the optional profile, folded unless used."""
    return PageSection("matching/_profile_section.html", order=50,
                       context={**await _choices(), "open": any(
                           k.startswith(FORM_PREFIX) and v for k, v in form.items())
                           or any(k.startswith("profile.") for k in errors)})


def _labelled(items: list[dict], industries: dict) -> list[dict]:
    for item in items:
        item["reasons_text"] = reasons_text(item["reasons"])
        found = industries.get(item["industry"])
        item["industry_name"] = i18n.pick(found["name_zh"], found["name_en"]) if found else ""
    return items


async def ticket_section(request: Request, ticket: dict, fair: dict) -> PageSection | None:
    """fairs.hooks.ticket_sections: "Positions for you" (order 20)."""
    profile = await services.profile_of_registration(ticket["id"])
    if profile is None and ticket["status"] != "active":
        return None
    items = await services.matches_for(ticket, profile)
    industries = {i["code"]: i for i in await catalog.industries()}
    listed = _labelled(items[:LISTED], industries)
    fitting = [i for i in listed[:SHOWN] if i["fits"]]
    route = (walk.stream_walk(fitting) if fair["kind"] == "online"
             else walk.floor_walk(fitting))
    districts = {d["code"]: d for d in await services.district_choices()}
    return PageSection("matching/_ticket_section.html", order=20, context={
        "profile": profile, "items": listed[:SHOWN], "more": listed[SHOWN:],
        "total": len(items), "route": route, "industries": industries,
        "districts": districts, "ended": fair["ends_at"] <= clock.now(), **LABELS})


async def fair_section(request: Request, fair: dict) -> PageSection | None:
    """fairs.hooks.fair_sections: "Positions for you" for a visitor whose browser remembers a
    ticket of this fair (static/js/matching-fair.js fills it through the API; hidden
    otherwise, and for everyone while the page is cached)."""
    if fair.get("status") != "published" or fair["ends_at"] <= clock.now():
        return None
    return PageSection("matching/_fair_section.html", order=15)


async def positions_section(request: Request, booking: HeldBooking,
                            positions: list[dict]) -> PageSection | None:
    """fairs.hooks.employer_positions_sections: how many job seekers each position fits."""
    if booking.status != "confirmed" or not positions:
        return None
    counts = await demand.position_counts(booking.fair, booking.employer,
                                          [p["id"] for p in positions])
    return PageSection("matching/_positions_demand.html", order=50,
                       context={"counts": counts, "fair": booking.fair})


# --- the holder's pages ------------------------------------------------------------------------


class ProfilePages(Controller):
    """The holder's profile and marking interest from the list, by the ticket's secret."""

    path = "/tickets/{secret:str}"
    include_in_schema = False

    async def _form(self, request: Request, secret: str, form: dict, errors: dict,
                    status_code: int = 200) -> Template:
        ticket, fair = await services.ticket_and_fair(secret)
        template = page(request, "matching/profile.html", status_code=status_code,
                           ticket=ticket, fair=fair, form=form, errors=errors,
                           has_profile=await services.profile_of_registration(ticket["id"])
                           is not None, choices=await _choices())
        template.headers.update(NO_STORE)
        return template

    @get("/profile")
    async def edit(self, request: Request, secret: FromPath[str]) -> Template:
        _ticket, profile = await services.get_profile(secret)
        return await self._form(request, secret, form_values(profile), {})

    @post("/profile", status_code=303)
    async def save(self, request: Request, secret: FromPath[str],
                   data: FormData) -> Template | Redirect:
        form = {k: v for k, v in data.items() if k.startswith(FORM_PREFIX)}
        try:
            await services.put_profile(secret, {**form, FORM_PREFIX + "form": "1"})
        except FairsError as exc:
            if exc.status == 404:
                raise
            errors = exc.under("profile").field_texts() or {"_": exc.detail}
            return await self._form(request, secret, form, errors, status_code=exc.status)
        return Redirect(path=f"/tickets/{secret}?profile=saved#matches", status_code=303)

    @post("/profile/delete", status_code=303)
    async def delete(self, secret: FromPath[str]) -> Redirect:
        await services.delete_profile(secret)
        return Redirect(path=f"/tickets/{secret}?profile=deleted#matches", status_code=303)

    @post("/matches/{position_id:int}/interest", status_code=303)
    async def interest(self, secret: FromPath[str], position_id: FromPath[int]) -> Redirect:
        """Mark interest from the list: the booths slice's interest flow, as a poster's page
        marks it (once per ticket and position)."""
        await interests.mark_interest(secret, position_id)
        return Redirect(path=f"/tickets/{secret}#match-{position_id}", status_code=303)


class EmployerDemandPages(Controller):
    path = "/employer"
    guards = [employer_guard]
    include_in_schema = False

    @get("/fairs/{fair_id:int}/seekers")
    async def seekers(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = require(request)
        fair = await events.get_fair(fair_id, principal, decorate=False)
        counts = await demand.demand(principal, fair_id)
        found = await demand.contactable_seekers(principal, fair_id, limit=500)
        industries = {i["code"]: i for i in await catalog.industries()}
        for item in found["items"]:
            item["reasons_text"] = reasons_text(item["reasons"])
            item["national"] = item["phone"][3:] if item["phone"].startswith("+86") \
                else item["phone"]
        template = page(request, "matching/seekers.html", fair=fair, counts=counts,
                           seekers=found["items"], hidden=found["hidden"],
                           industries=industries, **LABELS)
        template.headers.update(NO_STORE)
        return template


ROUTES = [ProfilePages, EmployerDemandPages]
