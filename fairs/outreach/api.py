"""/api/v1: services to employers (服务台账) and service officers (用工专员); API.md Revision 2,
"Employer services", extended.

- `POST /api/v1/employers/{id}/services` (an organiser serving the employer) -> 201 the service;
  `GET` the same path lists its services: those recorded and its fair attendance.
- `GET /api/v1/services` (organisers): the ledger of their subtree, `kind`, `month`, `staff`;
  `GET`, `PATCH`, `DELETE /api/v1/services/{id}` (its recorder, or an organiser over its
  organisation).
- `GET`/`POST /api/v1/employers/{id}/officers`, `DELETE .../officers/{user}` (organisers
  serving the employer): its service officers.
- `GET /api/v1/officers/me/employers` (organisers): the caller's employers, last contact and
  follow-ups; `GET /api/v1/outreach/uncontacted`: employers served that nobody contacted this
  quarter.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs.accounts.auth import organiser_guard, require
from fairs.events.services import iso

from . import officers, services
from .schemas import (
    FairRef,
    FollowUpOut,
    MyEmployerOut,
    OfficerIn,
    OfficerOut,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    Staff,
    UncontactedOut,
)

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
Short = Annotated[str | None, QueryParameter(max_length=40)]
UserId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def service_out(s: dict) -> ServiceOut:
    return ServiceOut(
        id=s["id"], employer=s["employer"], kind=s["kind"], on=s["on"].isoformat(),
        topics=s["topics"], notes=s["notes"], staff_names=s["staff_names"],
        staff=Staff(**s["staff"]) if s["staff"] else None,
        follow_up_on=_day(s["follow_up_on"]), org=s["org"] or "", source=s["source"],
        fair=FairRef(**s["fair"]) if s["fair"] else None,
        created_at=iso(s["created_at"]), updated_at=iso(s["updated_at"]))


def _body(data) -> dict:
    import msgspec

    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}


class EmployerServiceController(Controller):
    path = "/api/v1/employers/{employer_id:int}"
    tags = ["outreach"]
    guards = [organiser_guard]

    @post("/services", status_code=HTTP_201_CREATED,
          summary="Record a service given to the employer (organisers serving it)")
    async def record(self, request: Request, employer_id: FromPath[int],
                     data: JSONBody[ServiceIn]) -> ServiceOut:
        made = await services.record_service(require(request), employer_id, _body(data))
        return service_out(made)

    @get("/services", summary="The employer's services: recorded ones and its fair attendance")
    async def list_services(self, request: Request, employer_id: FromPath[int],
                            limit: Limit = 100, offset: Offset = 0) -> dict:
        items, total = await services.employer_services(require(request), employer_id, limit,
                                                        offset)
        return {"items": [service_out(s) for s in items], "total": total}

    @get("/officers", summary="The employer's service officers (用工专员)")
    async def list_officers(self, request: Request, employer_id: FromPath[int]) -> dict:
        rows = await officers.officers_of(require(request), employer_id)
        items = [OfficerOut(user=r["user"], username=r["username"], name=r["name"],
                            org=r["org"], assigned_at=iso(r["assigned_at"])) for r in rows]
        return {"items": items, "total": len(items)}

    @post("/officers", status_code=HTTP_201_CREATED,
          summary="Assign a login of your organisation as the employer's officer (200 when "
                  "it already is)")
    async def assign(self, request: Request, employer_id: FromPath[int],
                     data: JSONBody[OfficerIn]) -> Response[OfficerOut]:
        made, created = await officers.assign(require(request), employer_id, data.user)
        out = OfficerOut(user=made["user"], username=made["username"], name=made["name"])
        return Response(out, status_code=201 if created else 200)

    @delete("/officers/{user_id:int}", status_code=HTTP_204_NO_CONTENT,
            summary="Remove an officer from the employer")
    async def unassign(self, request: Request, employer_id: FromPath[int],
                       user_id: FromPath[int]) -> None:
        await officers.unassign(require(request), employer_id, user_id)


class ServiceController(Controller):
    path = "/api/v1/services"
    tags = ["outreach"]
    guards = [organiser_guard]

    @get("/", summary="The services recorded in your organisation's subtree, newest first")
    async def ledger(self, request: Request, kind: Short = None, month: Short = None,
                     staff: UserId = None, employer: UserId = None, limit: Limit = 100,
                     offset: Offset = 0) -> dict:
        flt = services.LedgerFilter(kind=kind or None, month=month or None, staff=staff,
                                    employer=employer)
        items, total = await services.ledger(require(request), flt, limit, offset)
        return {"items": [service_out(s) for s in items], "total": total}

    @get("/{service_id:int}", summary="One recorded service")
    async def get_service(self, request: Request, service_id: FromPath[int]) -> ServiceOut:
        return service_out(await services.get_service(require(request), service_id))

    @patch("/{service_id:int}", summary="Change a service record (its recorder, or an "
                                        "organiser over its organisation)")
    async def update(self, request: Request, service_id: FromPath[int],
                     data: JSONBody[ServicePatch]) -> ServiceOut:
        return service_out(await services.update_service(require(request), service_id,
                                                         _body(data)))

    @delete("/{service_id:int}", status_code=HTTP_204_NO_CONTENT,
            summary="Delete a service record (its recorder, or an organiser over its "
                    "organisation)")
    async def remove(self, request: Request, service_id: FromPath[int]) -> None:
        await services.delete_service(require(request), service_id)


class OfficerController(Controller):
    path = "/api/v1"
    tags = ["outreach"]
    guards = [organiser_guard]

    @get("/officers/me/employers",
         summary="The employers you are officer of: last contact, open and overdue follow-ups")
    async def mine(self, request: Request) -> dict:
        rows = await officers.my_employers(require(request))
        items = [MyEmployerOut(
            employer=r["employer"], name=r["name"], industry=r["industry"],
            last_contact=_day(r["last_contact"]), overdue=r["overdue"],
            follow_ups=[FollowUpOut(service=f["service"], kind=f["kind"], on=f["on"].isoformat(),
                                    follow_up_on=f["follow_up_on"].isoformat(),
                                    overdue=f["overdue"]) for f in r["follow_ups"]])
            for r in rows]
        return {"items": items, "total": len(items)}

    @get("/outreach/uncontacted",
         summary="Employers your organisation serves that nobody contacted this quarter")
    async def uncontacted(self, request: Request, limit: Limit = 100,
                          offset: Offset = 0) -> dict:
        rows, total, quarter = await officers.uncontacted(require(request), limit, offset)
        items = [UncontactedOut(employer=r["employer"], name=r["name"], industry=r["industry"],
                                status=r["status"], last_contact=_day(r["last_contact"]))
                 for r in rows]
        return {"items": items, "total": total, "quarter": quarter}


ROUTES = [EmployerServiceController, ServiceController, OfficerController]
