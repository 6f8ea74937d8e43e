"""Pages: register for a fair, the mobile ticket (QR, time, place, add to calendar, cancel), and
the ticket's QR images and calendar file."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from fairs import hooks
from fairs.accounts.auth import client_address
from fairs.calendar.http import ticket_ics_response
from fairs.catalog import services as catalog
from fairs.errors import Conflict, FairsError, Gone, Invalid, NotFound
from fairs.events import services as events
from fairs.hooks import PageSection
from fairs.i18n import N_
from fairs.web import page

from . import qr, services

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
FORM_FIELDS = {"name", "phone", "audiences"}
PROFILE_PREFIX = "profile_"  # the optional profile's form fields (fairs.matching)
NO_STORE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex"}


def _registration_open(fair: dict) -> bool:
    if fair["status"] != "published":
        return False
    opens, closes = services.registration_window(fair)
    at = services.now()
    return (opens is None or opens <= at) and at < closes


async def register_section(request: Request, fair: dict) -> PageSection | None:
    """The "register" section of /fairs/{id}."""
    if fair.get("status") != "published":
        return None
    return PageSection("tickets/_register_section.html", order=10,
                       context={"open": _registration_open(fair),
                                "audiences": await catalog.audiences()})


async def _form_sections(request: Request, fair: dict, form: dict,
                         errors: dict) -> list[PageSection]:
    """Other slices' parts of the registration form (matching: the optional profile)."""
    return await hooks.sections(hooks.registration_form_sections, request, fair, form, errors)


async def _active(secret: str) -> dict:
    """The registration behind a ticket's QR image or calendar file: 404 for an unknown secret;
    410 Gone once the holder cancelled it (its code no longer admits, so neither is offered)."""
    row = await services.by_secret(secret)
    if row is None:
        raise NotFound(N_("no such ticket"))
    if row["status"] != "active":
        raise Gone(N_("This registration was cancelled."), code="registration_cancelled")
    return row


class TicketPages(Controller):
    include_in_schema = False

    @get("/fairs/{fair_id:int}/register")
    async def register_form(self, request: Request, fair_id: FromPath[int]) -> Template:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        return page(request, "tickets/register.html", fair=fair,
                    open=_registration_open(fair), audiences=await catalog.audiences(),
                    form={}, errors={},
                    form_sections=await _form_sections(request, fair, {}, {}))

    @post("/fairs/{fair_id:int}/register", status_code=303)
    async def register(self, request: Request, fair_id: FromPath[int],
                       data: FormData) -> Template | Redirect:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        audiences = data.get("audiences") or []
        if isinstance(audiences, str):
            audiences = [audiences]
        form = {"name": str(data.get("name", "")), "phone": str(data.get("phone", "")),
                "audiences": audiences}
        # The optional profile's fields (fairs.hooks.registration_form_sections): given when
        # any of them is filled in.
        given = {k: v for k, v in data.items() if k.startswith(PROFILE_PREFIX)}
        form.update(given)
        try:
            if request.scope.get("user") is None:
                await request.app.state.limiter.hit("register_ip", client_address(request))
            made = await services.register(fair_id, form["name"], form["phone"], audiences,
                                           profile=given if any(given.values()) else None)
        except (Invalid, Conflict) as exc:
            errors = exc.field_texts()
            if not any(k in FORM_FIELDS or k.startswith("profile.") for k in errors):
                errors["_"] = exc.detail  # the fair full, registration closed...
            return page(request, "tickets/register.html", status_code=exc.status, fair=fair,
                        open=_registration_open(fair), audiences=await catalog.audiences(),
                        form=form, errors=errors, problem=exc.detail,
                        form_sections=await _form_sections(request, fair, form, errors))
        except FairsError:
            raise
        return Redirect(path=f"/tickets/{made['secret']}?new=1", status_code=303)

    # The holder's pages are addressed by the ticket's secret; a door code finds nothing (404).

    @get("/tickets/{secret:str}")
    async def ticket(self, request: Request, secret: FromPath[str]) -> Template:
        row, fair = await services.ticket(secret)
        template = page(request, "tickets/ticket.html", ticket=row, fair=fair,
                        qr_svg=qr.svg_inline(row["code"]),
                        audiences=services.audience_list(row["audiences"]),
                        new=request.query_params.get("new") == "1",
                        sections=await hooks.sections(hooks.ticket_sections, request, row, fair))
        template.headers.update(NO_STORE)
        return template

    @post("/tickets/{secret:str}/cancel", status_code=303)
    async def cancel(self, secret: FromPath[str]) -> Redirect:
        await services.cancel(secret)
        return Redirect(path=f"/tickets/{secret}", status_code=303)

    @get("/tickets/{secret:str}/qr.svg")
    async def qr_svg(self, secret: FromPath[str]) -> Response:
        row = await _active(secret)
        return Response(qr.svg(row["code"]), media_type="image/svg+xml",
                        headers={"Cache-Control": "private, max-age=86400"})

    @get("/tickets/{secret:str}/qr.png")
    async def qr_png(self, secret: FromPath[str]) -> Response:
        row = await _active(secret)
        return Response(qr.png(row["code"]), media_type="image/png",
                        headers={"Cache-Control": "private, max-age=86400"})

    @get("/tickets/{secret:str}/ticket.ics")
    async def ics(self, request: Request, secret: FromPath[str]) -> Response:
        """The holder's fair as a calendar file: the feeds' event (same UID, SEQUENCE, 304s)
        linking the ticket page, with reminders a day and two hours before, named after the
        fair."""
        row = await _active(secret)
        ticket_url = f"{str(request.base_url).rstrip('/')}/tickets/{secret}"
        return await ticket_ics_response(request, row["fair"], ticket_url)


ROUTES = [TicketPages]
