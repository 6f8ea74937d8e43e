"""/api/v1: registrations and tickets (API.md "Registration and tickets")."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs.accounts.auth import client_address, organiser_guard, require, scanner_guard
from fairs.events import services as events
from fairs.events.services import iso

from . import services
from .schemas import (
    MaskedRegistration,
    RegistrationIn,
    RegistrationOut,
    RegistrationRow,
    TicketLinks,
    TicketOut,
)


def links(request: Request, code: str) -> TicketLinks:
    base = str(request.base_url).rstrip("/")
    return TicketLinks(code=code, url=f"{base}/tickets/{code}",
                       qr_svg=f"{base}/tickets/{code}/qr.svg",
                       qr_png=f"{base}/tickets/{code}/qr.png",
                       ics=f"{base}/tickets/{code}/ticket.ics")


class RegistrationController(Controller):
    path = "/api/v1/fairs/{fair_id:int}/registrations"
    tags = ["tickets"]

    @post("/", status_code=HTTP_201_CREATED,
          summary="Register for a published fair; answers the ticket")
    async def register(self, request: Request, fair_id: FromPath[int],
                       data: JSONBody[RegistrationIn]) -> RegistrationOut:
        if request.scope.get("user") is None:
            await request.app.state.limiter.hit("register_ip", client_address(request))
        made = await services.register(fair_id, data.name, data.phone, data.audiences)
        return RegistrationOut(ticket=links(request, made["code"]))

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

    @get("/lookup", guards=[scanner_guard],
         summary="Door staff: registrations whose phone ends in these 4 digits (masked)")
    async def lookup(self, request: Request, fair_id: FromPath[int],
                     last4: Annotated[str, QueryParameter(min_length=4, max_length=4)]) -> dict:
        from fairs.checkin.services import ensure_may_scan

        principal = require(request)
        await ensure_may_scan(principal, fair_id)
        # Each lookup shows a few holders: throttled per scanner and fair (`lookup`).
        await request.app.state.limiter.hit("lookup", principal.id, fair_id)
        rows = await services.find_by_last4(fair_id, last4)
        items = [MaskedRegistration(code=r["code"], name=r["name"], phone=r["phone"],
                                    status=r["status"], checked_in_at=iso(r["checked_in_at"]))
                 for r in rows]
        return {"items": items, "total": len(items)}


class TicketController(Controller):
    path = "/api/v1/tickets"
    tags = ["tickets"]

    @get("/{code:str}", summary="A ticket, for its holder")
    async def get_ticket(self, request: Request, code: FromPath[str]) -> TicketOut:
        row, _fair = await services.ticket(code)
        link = links(request, row["code"])
        return TicketOut(code=row["code"], fair=row["fair"], name=row["name"],
                         status=row["status"], audiences=services.audience_list(row["audiences"]),
                         url=link.url, qr_svg=link.qr_svg, qr_png=link.qr_png, ics=link.ics)

    @delete("/{code:str}", status_code=HTTP_204_NO_CONTENT,
            summary="Cancel the registration; the code is refused at the door from now on")
    async def cancel(self, code: FromPath[str]) -> None:
        await services.cancel(code)


ROUTES = [RegistrationController, TicketController]
