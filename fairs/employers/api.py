"""/api/v1/employers: self-registration, approval and rejection, staff accounts."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fairs.accounts.auth import client_address, logged_in, organiser_guard, require
from fairs.errors import Forbidden
from fairs.events.services import iso

from . import services
from .schemas import (
    EmployerCreated,
    EmployerIn,
    EmployerOut,
    RejectIn,
    StaffIn,
    StaffOut,
    StatusOut,
)


def employer_out(row: dict) -> EmployerOut:
    p = services.public(row)
    return EmployerOut(
        id=p["id"], name=p["name"], uscc=p["uscc"], industry=p["industry"],
        contact_name=p["contact_name"], contact_phone=p["contact_phone"], status=p["status"],
        reject_reason=p["reject_reason"], created_at=iso(p["created_at"]),
        decided_at=iso(p["decided_at"]),
    )


class EmployerController(Controller):
    path = "/api/v1/employers"
    tags = ["employers"]

    @post("/", status_code=HTTP_201_CREATED,
          summary="Register a company (pending until an organiser approves it)")
    async def register(self, request: Request, data: JSONBody[EmployerIn]) -> EmployerCreated:
        made = await services.register(
            name=data.name, uscc=data.uscc, industry=data.industry,
            contact_name=data.contact_name, contact_phone=data.contact_phone,
            username=data.username, password=data.password,
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
            raise Forbidden("not your company")
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
            raise Forbidden("not your company")
        rows = await services.staff(employer_id)
        return {"items": rows, "total": len(rows)}

    @post("/{employer_id:int}/staff", status_code=HTTP_201_CREATED, guards=[logged_in],
          summary="Another staff account for this employer")
    async def add_staff(self, request: Request, employer_id: FromPath[int],
                        data: JSONBody[StaffIn]) -> StaffOut:
        made = await services.add_staff(require(request), employer_id, username=data.username,
                                        password=data.password, display_name=data.display_name)
        return StaffOut(**made)

ROUTES = [EmployerController]
