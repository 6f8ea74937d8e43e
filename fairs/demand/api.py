"""/api/v1: needs (用工需求) and staff counts of employers, their review, the public demand
catalogue, copying needs into a booking's positions, and the vacancy and wage-level reports
(API.md, Revision 2: "Employer services, needs and wages").

- `POST /api/v1/employers/{id}/needs` (the employer, or an organiser for it) -> 201
  `{"id","status":"draft"}`; `GET` lists the employer's needs.
- `PUT /api/v1/employers/{id}/staff-count` `{"staff","month"?,"org"?}`; `GET` its reports.
- `GET /api/v1/needs` (organisers: the review queue of their subtree), `GET/PATCH
  /api/v1/needs/{id}`, `POST /api/v1/needs/{id}/publish|reject|withdraw`.
- `GET /api/v1/demand` (anyone): the listed needs, filtered.
- `POST /api/v1/bookings/{id}/positions/from-needs` `{"needs": [ids]}` (and for slot bookings).
- `GET /api/v1/reports/vacancy` (organisers), `GET /api/v1/reports/wages` (anyone).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from fairs import bounds, pay
from fairs.accounts.auth import client_address, employer_guard, logged_in, organiser_guard, require
from fairs.employers.schemas import position_out
from fairs.events.times import iso

from . import catalogue, copying, needs, vacancy, wages, workforce
from .schemas import (
    FromNeedsIn,
    NeedCreated,
    NeedIn,
    NeedOut,
    NeedPatch,
    PublicNeedOut,
    RejectIn,
    StaffIn,
    StaffOut,
)

Text = Annotated[str | None, QueryParameter(max_length=200)]
Code = Annotated[str | None, QueryParameter(max_length=64)]
From = Annotated[str | None, QueryParameter(name="from", max_length=40)]
Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]


def need_out(row: dict) -> NeedOut:
    return NeedOut(
        id=row["id"], employer=row["employer"], employer_name=row["employer_name"],
        industry=row["industry"], org=row["org"], title=row["title"],
        headcount=row["headcount"], education=row["education"], skills=row["skills"],
        skilled=row["skilled"], salary_min=row["salary_min"], salary_max=row["salary_max"],
        pay_unit=row["pay_unit"],
        monthly_pay=pay.offered_monthly(row["salary_min"], row["salary_max"], row["pay_unit"]),
        job_type=row["job_type"], valid_until=row["valid_until"].isoformat(),
        status=row["status"], reject_reason=row["reject_reason"],
        created_at=iso(row["created_at"]) or "", published_at=iso(row["published_at"]))


def public_need_out(row: dict) -> PublicNeedOut:
    out = need_out(row)
    return PublicNeedOut(**{f: getattr(out, f) for f in PublicNeedOut.__struct_fields__})


def min_count(request: Request) -> int:
    """Wage cells under this many offers are withheld: the reports' minimum cell
    (FAIRS_REPORT_MIN_CELL, 5 by default)."""
    settings = getattr(request.app.state, "settings", None)
    return int(getattr(settings, "report_min_cell", 0) or wages.DEFAULT_MIN_COUNT)


class NeedController(Controller):
    path = "/api/v1"
    tags = ["demand"]

    @post("/employers/{employer_id:int}/needs", status_code=HTTP_201_CREATED,
          guards=[logged_in], summary="State a need (a draft until an organiser publishes it)")
    async def create(self, request: Request, employer_id: FromPath[int],
                     data: JSONBody[NeedIn]) -> NeedCreated:
        row = await needs.create_need(require(request), employer_id,
                                      msgspec.structs.asdict(data))
        return NeedCreated(id=row["id"], status=row["status"])

    @get("/employers/{employer_id:int}/needs", guards=[logged_in],
         summary="An employer's needs, newest first")
    async def employer_needs(self, request: Request, employer_id: FromPath[int],
                             status: Text = None, limit: Limit = 100,
                             offset: Offset = 0) -> dict:
        rows, total = await needs.employer_needs(require(request), employer_id, status, limit,
                                                 offset)
        return {"items": [need_out(r) for r in rows], "total": total}

    @put("/employers/{employer_id:int}/staff-count", guards=[logged_in],
         summary="The employer's staff count (在职职工人数) for a month")
    async def report_staff(self, request: Request, employer_id: FromPath[int],
                           data: JSONBody[StaffIn]) -> StaffOut:
        made = await workforce.report_staff(require(request), employer_id, data.staff,
                                            data.month, data.org)
        return StaffOut(employer=employer_id, month=made["month"], staff=made["staff"],
                        org=made["org"])

    @get("/employers/{employer_id:int}/staff-count", guards=[logged_in],
         summary="The employer's staff reports, latest month first")
    async def staff_reports(self, request: Request, employer_id: FromPath[int]) -> dict:
        rows = await workforce.staff_reports(require(request), employer_id)
        return {"items": [{"month": r["month"], "staff": r["staff"], "org": r["org"],
                           "reported_at": iso(r["reported_at"])} for r in rows]}

    @get("/needs", guards=[organiser_guard],
         summary="Needs filed within your organisation, by status (drafts: the review queue)")
    async def queue(self, request: Request, status: Text = "draft", org: Code = None,
                    limit: Limit = 100, offset: Offset = 0) -> dict:
        rows, total = await needs.review_queue(require(request), status or None, org, limit,
                                               offset)
        return {"items": [need_out(r) for r in rows], "total": total}

    @get("/needs/{need_id:int}", summary="A need (anyone, once it is listed)")
    async def get_need(self, request: Request, need_id: FromPath[int]) -> NeedOut:
        return need_out(await needs.get_need(request.scope.get("user"), need_id))

    @patch("/needs/{need_id:int}", guards=[logged_in])
    async def update(self, request: Request, need_id: FromPath[int],
                     data: JSONBody[NeedPatch]) -> NeedOut:
        return need_out(await needs.update_need(require(request), need_id,
                                                msgspec.structs.asdict(data)))

    @post("/needs/{need_id:int}/publish", status_code=HTTP_200_OK, guards=[organiser_guard])
    async def publish(self, request: Request, need_id: FromPath[int]) -> NeedOut:
        return need_out(await needs.publish_need(require(request), need_id))

    @post("/needs/{need_id:int}/reject", status_code=HTTP_200_OK, guards=[organiser_guard],
          summary="Reject a need, saying why")
    async def reject(self, request: Request, need_id: FromPath[int],
                     data: JSONBody[RejectIn]) -> NeedOut:
        return need_out(await needs.reject_need(require(request), need_id, data.reason))

    @post("/needs/{need_id:int}/withdraw", status_code=HTTP_200_OK, guards=[logged_in])
    async def withdraw(self, request: Request, need_id: FromPath[int]) -> NeedOut:
        return need_out(await needs.withdraw_need(require(request), need_id))

    @post("/bookings/{booking_id:int}/positions/from-needs", status_code=HTTP_201_CREATED,
          guards=[employer_guard],
          summary="Copy your needs into this booking's positions (all of them or none)")
    async def from_needs(self, request: Request, booking_id: FromPath[int],
                         data: JSONBody[FromNeedsIn]) -> dict:
        rows = await copying.copy_needs(require(request), booking_id, list(data.needs))
        return {"items": [position_out(r) for r in rows], "total": len(rows)}

    @post("/slot-bookings/{slot_booking_id:int}/positions/from-needs",
          status_code=HTTP_201_CREATED, guards=[employer_guard],
          summary="Copy your needs into this guest-slot booking's positions")
    async def slot_from_needs(self, request: Request, slot_booking_id: FromPath[int],
                              data: JSONBody[FromNeedsIn]) -> dict:
        rows = await copying.copy_needs(require(request), slot_booking_id, list(data.needs),
                                        slot=True)
        return {"items": [position_out(r) for r in rows], "total": len(rows)}


class DemandController(Controller):
    path = "/api/v1/demand"
    tags = ["demand"]

    @get("/", summary="The demand catalogue: published, unexpired needs, filtered")
    async def catalogue(
        self, industry: Code = None, org: Code = None, education: Code = None,
        job_type: Code = None, skilled: FromQuery[bool | None] = None, q: Text = None,
        limit: Annotated[int, QueryParameter(ge=1, le=catalogue.MAX_LIMIT)] = 20,
        offset: Annotated[int, QueryParameter(ge=0, le=catalogue.MAX_OFFSET)] = 0,
    ) -> dict:
        flt = await catalogue.check_filter(industry, org, education, job_type, skilled, q)
        rows, total = await catalogue.listing(flt, limit, offset)
        return {"items": [public_need_out(r) for r in rows], "total": total}


class DemandReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @get("/vacancy", guards=[organiser_guard],
         summary="Vacancy (缺工): open headcount against staff by month, industry and district")
    async def vacancy(self, request: Request, from_: From = None, to: Code = None,
                      org: Code = None, industry: Code = None,
                      top: Annotated[int, QueryParameter(ge=1, le=100)] = vacancy.TOP) -> dict:
        found = await vacancy.report(require(request), from_, to, org, industry, top)
        return {"org": found["org"]["code"], "months": found["months"],
                "items": found["items"], "totals": found["totals"], "top": found["top"]}

    @get("/wages", summary="Wage levels (工资价位): offered monthly pay's quartiles")
    async def wages(self, request: Request, from_: From = None, to: Code = None,
                    industry: Code = None, education: Code = None,
                    by: Annotated[str, QueryParameter(max_length=16)] = "education") -> dict:
        found = await wages.wage_levels(bounds.parse_date(from_, "from"),
                                        bounds.parse_date(to, "to"), industry, education, by,
                                        min_count(request), limiter=request.app.state.limiter,
                                        address=client_address(request))
        return {"items": found["items"], "from": found["from"].isoformat(),
                "to": found["to"].isoformat(), "by": found["by"],
                "min_count": found["min_count"], "suppressed": found["suppressed"]}


ROUTES = [NeedController, DemandController, DemandReportController]
