"""Booth and guest-slot posters, the employer's page at a fair that their QR opens, and
attendees' interest in positions (issue 5, "Booth posters").

- `/organiser/fairs/{id}/posters`: every poster of a fair, one per printed A4 page;
  `/employer/bookings/{id}/poster` and `/employer/slot-bookings/{id}/poster`: the employer's own.
  A poster's QR (SVG, error correction M, quiet zone 4) holds FAIRS_BASE_URL +
  /fairs/{fair}/employers/{employer}.
- `/fairs/{fair}/employers/{employer}` (public): who they are, their booth or slot, the
  positions they bring; an attendee marks interest with the ticket this browser remembers
  (static/js/booths-interest.js, through the API) or a typed code (a plain form without JS).
- `/employer/interests`: the employer's interested job seekers per fair (names and phones
  masked); the ticket page lists the holder's interests (a ticket section).
"""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.employers.labels import LABELS
from fairs.errors import FairsError, Invalid
from fairs.hooks import PageSection
from fairs.i18n import N_
from fairs.tickets import qr
from fairs.web import form_int, page

from . import base, interests


def _labels() -> dict:
    return LABELS


def absolute(request: Request, path: str) -> str:
    """The address a QR code carries: the service's public base URL (FAIRS_BASE_URL) + path."""
    return request.app.state.settings.base_url + path


def _decorate(request: Request, posters: list[dict]) -> list[dict]:
    for p in posters:
        p["url"] = absolute(request, p["path"])
        p["qr_svg"] = qr.svg_inline(p["url"])
    return posters


class PosterPages(Controller):
    include_in_schema = False

    @get("/organiser/fairs/{fair_id:int}/posters", guards=[organiser_guard])
    async def fair_posters(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = require(request)
        posters = await interests.fair_posters(principal, fair_id)
        fair = await base.managed_fair(principal, fair_id)
        return page(request, "booths/posters.html", fair=fair,
                    posters=_decorate(request, posters), back=f"/organiser/fairs/{fair_id}/booths")

    @get("/employer/bookings/{booking_id:int}/poster", guards=[employer_guard])
    async def booking_poster(self, request: Request, booking_id: FromPath[int]) -> Template:
        poster = await interests.booking_poster(require(request), booking_id)
        return page(request, "booths/posters.html", fair=poster["fair"],
                    posters=_decorate(request, [poster]), back="/employer")

    @get("/employer/slot-bookings/{booking_id:int}/poster", guards=[employer_guard])
    async def slot_poster(self, request: Request, booking_id: FromPath[int]) -> Template:
        poster = await interests.booking_poster(require(request), booking_id, slot=True)
        return page(request, "booths/posters.html", fair=poster["fair"],
                    posters=_decorate(request, [poster]), back="/employer")

    @get("/employer/interests", guards=[employer_guard])
    async def interested(self, request: Request) -> Template:
        fair_id = form_int(request.query_params, "fair", lo=1, hi=2**31 - 1)
        found = await interests.interested_job_seekers(require(request), fair_id)
        return page(request, "booths/interested.html", fair_id=fair_id, **found)


class EmployerAtFairPages(Controller):
    path = "/fairs/{fair_id:int}/employers/{employer_id:int}"
    include_in_schema = False

    async def _page(self, request: Request, fair_id: int, employer_id: int,
                    status_code: int = 200, **extra) -> Template:
        found = await interests.employer_at_fair(fair_id, employer_id, request.scope.get("user"))
        marked = request.query_params.get("marked") or ""
        marked_title = next((p["title"] for p in found["positions"]
                             if str(p["id"]) == marked), None)
        industries = {i["code"]: i for i in await catalog.industries()}
        ctx = {"marked": marked_title, "industry": industries.get(found["employer"]["industry"]),
               "again": request.query_params.get("again") == "1",
               "errors": {}, "secret": "", **extra}
        return page(request, "booths/employer_at_fair.html", status_code=status_code,
                    fair=found["fair"], employer=found["employer"],
                    positions=found["positions"], url=absolute(request, found["path"]),
                    path=found["path"], **ctx, **_labels())

    @get("/")
    async def show(self, request: Request, fair_id: FromPath[int],
                   employer_id: FromPath[int]) -> Template:
        return await self._page(request, fair_id, employer_id)

    @post("/interest", status_code=303)
    async def mark(self, request: Request, fair_id: FromPath[int], employer_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        """Without JavaScript: the ticket's address (or its secret) pasted, and the pressed
        position's button."""
        secret = str(data.get("secret") or "")[:500]
        try:
            raw = str(data.get("position") or "")
            if not raw.isdigit():
                raise Invalid("position", N_("choose a position"))
            position_id = int(raw)
            found = await interests.employer_at_fair(fair_id, employer_id,
                                                     request.scope.get("user"))
            if position_id not in {p["id"] for p in found["positions"]}:
                raise Invalid("position", N_("this position is offered at another fair"))
            _row, created = await interests.mark_interest(secret, position_id, fair_id)
        except FairsError as exc:
            errors = {e.field: e.message for e in exc.errors} or {"": exc.detail}
            return await self._page(request, fair_id, employer_id, status_code=exc.status,
                                    errors=errors, secret=secret)
        query = urlencode({"marked": position_id, **({} if created else {"again": 1})})
        return Redirect(path=f"{interests.employer_page_path(fair_id, employer_id)}?{query}",
                        status_code=303)

    @get("/qr.svg")
    async def qr_svg(self, request: Request, fair_id: FromPath[int],
                     employer_id: FromPath[int]) -> Response:
        found = await interests.employer_at_fair(fair_id, employer_id, request.scope.get("user"))
        return Response(qr.svg(absolute(request, found["path"])), media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=3600"})

    @get("/qr.png")
    async def qr_png(self, request: Request, fair_id: FromPath[int],
                     employer_id: FromPath[int]) -> Response:
        found = await interests.employer_at_fair(fair_id, employer_id, request.scope.get("user"))
        return Response(qr.png(absolute(request, found["path"])), media_type="image/png",
                        headers={"Cache-Control": "public, max-age=3600"})


class TicketInterestPages(Controller):
    include_in_schema = False

    @post("/tickets/{secret:str}/interests/{position_id:int}/withdraw", status_code=303)
    async def withdraw(self, secret: FromPath[str], position_id: FromPath[int]) -> Redirect:
        await interests.withdraw_interest(secret, position_id)  # 422 unless a real secret
        return Redirect(path=f"/tickets/{secret}#interests", status_code=303)


async def ticket_interests_section(request, ticket: dict, fair: dict) -> PageSection | None:
    """The ticket page's "positions I am interested in"."""
    marked = await interests.registration_interests(ticket["id"])
    if not marked and ticket.get("status") != "active":
        return None
    return PageSection("booths/_ticket_interests.html", order=40,
                       context={"interests": marked})

ROUTES = [PosterPages, EmployerAtFairPages, TicketInterestPages]
