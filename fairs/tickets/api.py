"""/api/v1: registrations and tickets (API.md "Registration and tickets")."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.types import Scope

from fairs.accounts.auth import client_address, organiser_guard, require
from fairs.errors import FairsError
from fairs.events import services as events
from fairs.events.services import iso
from fairs.web import EARLY

from . import services
from .schemas import (
    RegistrationIn,
    RegistrationOut,
    RegistrationRow,
    TicketLinks,
    TicketOut,
)


def links(request: Request, code: str, secret: str) -> TicketLinks:
    """The holder's addresses: each carries the secret (which manages the registration), never
    the door code (which only admits and identifies the holder to an employer)."""
    base = str(request.base_url).rstrip("/")
    return TicketLinks(code=code, secret=secret, url=f"{base}/tickets/{secret}",
                       qr_svg=f"{base}/tickets/{secret}/qr.svg",
                       qr_png=f"{base}/tickets/{secret}/qr.png",
                       ics=f"{base}/tickets/{secret}/ticket.ics")


FAIR_READ = "tickets.fair"  # the scope state's key for the fair as the early decision read it


async def _refused_when_full(scope: Scope) -> FairsError | None:
    """A full fair's refusal, decided before the registration's session, CSRF, authentication
    and rate-limit work and before its body is read (issue 16: the thousands refused in a rush
    cost little more than a bare request). The fair read is kept for the registration."""
    fair = await services.read_fair(scope["path_params"]["fair_id"])
    scope.setdefault("state", {})[FAIR_READ] = fair
    return services.refusal_when_full(fair)


class RegistrationController(Controller):
    path = "/api/v1/fairs/{fair_id:int}/registrations"
    tags = ["tickets"]

    @post("/", status_code=HTTP_201_CREATED, opt={EARLY: _refused_when_full},
          summary="Register for a published fair; answers the ticket")
    async def register(self, request: Request, fair_id: FromPath[int],
                       data: JSONBody[RegistrationIn]) -> RegistrationOut:
        if request.scope.get("user") is None:
            await request.app.state.limiter.hit("register_ip", client_address(request))
        made = await services.register(fair_id, data.name, data.phone, data.audiences,
                                       profile=data.profile,
                                       fair=request.scope["state"].get(FAIR_READ))
        return RegistrationOut(ticket=links(request, made["code"], made["secret"]))

    @get("/", guards=[organiser_guard], summary="A fair's registrations (phones masked)")
    async def list_registrations(
        self, request: Request, fair_id: FromPath[int],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    ) -> dict:
        await events.get_fair_for_update(require(request), fair_id)
        rows, total = await services.list_for_fair(fair_id, limit, offset)
        return {"items": [RegistrationRow(
            id=r["id"], name=r["name"], phone=r["phone"], status=r["status"],
            source=r["source"], audiences=r["audiences"], created_at=iso(r["created_at"]))
            for r in rows], "total": total}


class TicketController(Controller):
    path = "/api/v1/tickets"
    tags = ["tickets"]

    @get("/{secret:str}", summary="A ticket, for its holder (by its secret; a door code is "
                                   "not found)")
    async def get_ticket(self, request: Request, secret: FromPath[str]) -> TicketOut:
        row, _fair = await services.ticket(secret)
        link = links(request, row["code"], secret)
        return TicketOut(code=row["code"], fair=row["fair"], name=row["name"],
                         status=row["status"], audiences=services.audience_list(row["audiences"]),
                         url=link.url, qr_svg=link.qr_svg, qr_png=link.qr_png, ics=link.ics)

    @delete("/{secret:str}", status_code=HTTP_204_NO_CONTENT,
            summary="Cancel the registration with its secret; the code is refused at the door "
                    "from now on")
    async def cancel(self, secret: FromPath[str]) -> None:
        await services.cancel(secret)


ROUTES = [RegistrationController, TicketController]
