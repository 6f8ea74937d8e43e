"""/api/v1: employers (self-registration, approval and rejection, staff accounts), the positions
they bring to fairs, and the no-show ledger with the city-wide booking rules."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs.accounts.auth import (
    admin_guard,
    client_address,
    employer_guard,
    logged_in,
    organiser_guard,
    require,
)
from fairs.errors import Forbidden
from fairs.events.services import iso
from fairs.i18n import N_

from . import ledger, positions, services
from .schemas import (
    EmployerCreated,
    EmployerIn,
    EmployerOut,
    NoShowOut,
    NoteIn,
    PositionIn,
    PositionOut,
    PositionPatch,
    RejectIn,
    RulesIn,
    RulesOut,
    StaffIn,
    StaffOut,
    StatusOut,
    position_out,
)

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
IdParam = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


def employer_out(row: dict) -> EmployerOut:
    p = services.public(row)
    return EmployerOut(
        id=p["id"], name=p["name"], uscc=p["uscc"], industry=p["industry"],
        contact_name=p["contact_name"], contact_phone=p["contact_phone"], status=p["status"],
        reject_reason=p["reject_reason"], created_at=iso(p["created_at"]),
        decided_at=iso(p["decided_at"]),
    )


def no_show_out(r: dict) -> NoShowOut:
    return NoShowOut(
        id=r["id"], employer=r["employer"], employer_name=r.get("employer_name") or "",
        fair=r["fair"], fair_title=r.get("fair_title") or "", booking=r["booking"],
        booth=r.get("booth_code"), reason=r["reason"], occurred_at=iso(r["occurred_at"]),
        annulled=r["annulled_at"] is not None, annulled_at=iso(r["annulled_at"]),
        note=r["note"],
    )


def _items(items: list) -> dict:
    return {"items": items, "total": len(items)}


class EmployerController(Controller):
    path = "/api/v1/employers"
    tags = ["employers"]

    @post("/", status_code=HTTP_201_CREATED,
          summary="Register a company (pending until an organiser approves it)")
    async def register(self, request: Request, data: JSONBody[EmployerIn]) -> EmployerCreated:
        made = await services.register(
            name=data.name, uscc=data.uscc, industry=data.industry,
            contact_name=data.contact_name, contact_phone=data.contact_phone,
            email=data.email, username=data.username, password=data.password,
            address=client_address(request), limiter=request.app.state.limiter,
        )
        return EmployerCreated(id=made["id"], status=made["status"])

    @get("/", guards=[organiser_guard], summary="Employers, by status")
    async def list_employers(
        self,
        status: Annotated[str | None, QueryParameter(max_length=200)] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    ) -> dict:
        rows, total = await services.list_employers(status, q, limit, offset)
        return {"items": [employer_out(r) for r in rows], "total": total}

    @get("/{employer_id:int}", guards=[logged_in])
    async def get_employer(self, request: Request, employer_id: FromPath[int]) -> EmployerOut:
        if not await services.can_view(require(request), employer_id):
            raise Forbidden(N_("not your company"), code="other_company")
        return employer_out(await services.get_employer(employer_id))

    @post("/{employer_id:int}/approve", status_code=HTTP_200_OK, guards=[organiser_guard])
    async def approve(self, request: Request, employer_id: FromPath[int]) -> StatusOut:
        made = await services.decide(require(request), employer_id, True)
        return StatusOut(**made)

    @post("/{employer_id:int}/reject", status_code=HTTP_200_OK, guards=[organiser_guard],
          summary="Reject with a reason")
    async def reject(self, request: Request, employer_id: FromPath[int],
                     data: JSONBody[RejectIn]) -> StatusOut:
        made = await services.decide(require(request), employer_id, False, data.reason)
        return StatusOut(**made)

    @get("/{employer_id:int}/staff", guards=[logged_in])
    async def list_staff(self, request: Request, employer_id: FromPath[int]) -> dict:
        if not await services.can_view(require(request), employer_id):
            raise Forbidden(N_("not your company"), code="other_company")
        rows = await services.staff(employer_id)
        return {"items": rows, "total": len(rows)}

    @post("/{employer_id:int}/staff", status_code=HTTP_201_CREATED, guards=[logged_in],
          summary="Another staff account for this employer")
    async def add_staff(self, request: Request, employer_id: FromPath[int],
                        data: JSONBody[StaffIn]) -> StaffOut:
        made = await services.add_staff(require(request), employer_id, username=data.username,
                                        password=data.password, display_name=data.display_name)
        return StaffOut(**made)

class PositionController(Controller):
    """Positions an employer brings to a fair, on its bookings and slot bookings (the booths
    slice's, reached through fairs.hooks.booking_of)."""

    path = "/api/v1"
    tags = ["employers"]

    @get("/fairs/{fair_id:int}/positions", summary="Jobs at this fair, searchable")
    async def positions(
        self, request: Request, fair_id: FromPath[int],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        job_type: Annotated[str | None, QueryParameter(max_length=200)] = None,
        education: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Limit = 100, offset: Offset = 0,
    ) -> dict:
        rows, total = await positions.fair_positions(fair_id, request.scope.get("user"), q,
                                                     job_type, education, limit, offset)
        return {"items": [position_out(r) for r in rows], "total": total}

    @post("/bookings/{booking_id:int}/positions", status_code=HTTP_201_CREATED,
          guards=[employer_guard])
    async def add_position(self, request: Request, booking_id: FromPath[int],
                           data: JSONBody[PositionIn]) -> PositionOut:
        row = await positions.add_position(require(request), booking_id,
                                           msgspec.structs.asdict(data))
        return position_out(row)

    @get("/bookings/{booking_id:int}/positions", guards=[logged_in])
    async def booking_positions(self, request: Request, booking_id: FromPath[int]) -> dict:
        _, rows = await positions.positions_of_booking(require(request), booking_id)
        return _items([position_out(r) for r in rows])

    @patch("/positions/{position_id:int}", guards=[employer_guard])
    async def update_position(self, request: Request, position_id: FromPath[int],
                              data: JSONBody[PositionPatch]) -> PositionOut:
        row = await positions.update_position(require(request), position_id,
                                              msgspec.structs.asdict(data))
        return position_out(row)

    @delete("/positions/{position_id:int}", status_code=HTTP_204_NO_CONTENT,
            guards=[employer_guard])
    async def delete_position(self, request: Request, position_id: FromPath[int]) -> None:
        await positions.delete_position(require(request), position_id)

    @post("/slot-bookings/{slot_booking_id:int}/positions", status_code=HTTP_201_CREATED,
          guards=[employer_guard])
    async def add_slot_position(self, request: Request, slot_booking_id: FromPath[int],
                                data: JSONBody[PositionIn]) -> PositionOut:
        row = await positions.add_position(require(request), slot_booking_id,
                                           msgspec.structs.asdict(data), slot=True)
        return position_out(row)


class LedgerController(Controller):
    path = "/api/v1"
    tags = ["employers"]

    @get("/no-shows", guards=[logged_in], summary="The no-show ledger")
    async def no_shows(
        self, request: Request,
        employer: IdParam = None,
    ) -> dict:
        principal = require(request)
        if principal.role == "employer":
            employer = await services.employer_id_of(principal.id)
        rows = await ledger.list_no_shows(principal, employer)
        return _items([no_show_out(r) for r in rows])

    @post("/no-shows/{no_show_id:int}/annul", status_code=HTTP_200_OK, guards=[organiser_guard])
    async def annul(self, request: Request, no_show_id: FromPath[int],
                    data: JSONBody[NoteIn]) -> dict:
        row = await ledger.annul_no_show(require(request), no_show_id, data.note)
        return {"id": row["id"], "annulled": True, "note": row["note"]}

    @patch("/no-shows/{no_show_id:int}", guards=[organiser_guard],
           summary="Explain a record (a note) without annulling it")
    async def explain(self, request: Request, no_show_id: FromPath[int],
                      data: JSONBody[NoteIn]) -> dict:
        row = await ledger.explain_no_show(require(request), no_show_id, data.note)
        return {"id": row["id"], "annulled": row["annulled_at"] is not None,
                "note": row["note"]}

    @get("/booking-rules", guards=[logged_in])
    async def rules(self) -> RulesOut:
        return RulesOut(**await ledger.get_rules())

    @put("/booking-rules", guards=[admin_guard],
         summary="Change the city-wide booking rules (admins; audited)")
    async def set_rules(self, request: Request, data: JSONBody[RulesIn]) -> RulesOut:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        return RulesOut(**await ledger.set_rules(require(request), changes))


ROUTES = [EmployerController, PositionController, LedgerController]
