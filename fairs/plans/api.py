"""/api/v1/plans: plans with targets, their progress, the planner's proposals and acceptance."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs.accounts.auth import organiser_guard, require
from fairs.events.services import iso

from . import progress, proposals, services
from .schemas import AcceptIn, PlanIn, PlanOut, PlanPatch, ProposalIn


def plan_out(row: dict) -> PlanOut:
    return PlanOut(
        id=row["id"], title=row["title"], org=row["org_code"],
        starts_on=row["starts_on"].isoformat(), ends_on=row["ends_on"].isoformat(),
        targets={"offline": row["target_offline"], "online": row["target_online"],
                 "events": row["target_events"],
                 "employer_visits": row["target_employer_visits"]},
        industry_minimums=row["industry_minimums"], audience_minimums=row["audience_minimums"],
        created_at=iso(row["created_at"]), updated_at=iso(row["updated_at"]),
    )


def _targets(value: Any) -> dict:
    return {k: v for k, v in msgspec.structs.asdict(value).items() if v is not None}


def constraints(data: ProposalIn) -> proposals.Constraints:
    return proposals.Constraints(
        max_per_day=data.max_per_day, blackout=tuple(data.blackout),
        weekdays_only=data.weekdays_only, day_starts=data.day_starts, day_ends=data.day_ends,
        online_starts=data.online_starts, online_ends=data.online_ends,
        offline_minutes=data.offline_minutes, online_minutes=data.online_minutes,
        allow_consecutive=data.allow_consecutive,
        venues=tuple(data.venues) if data.venues is not None else None,
        channels=tuple(data.channels) if data.channels is not None else None,
        industries=tuple(data.industries) if data.industries is not None else None,
        audiences=tuple(data.audiences) if data.audiences is not None else None,
    )


class PlanController(Controller):
    path = "/api/v1/plans"
    tags = ["plans"]
    guards = [organiser_guard]

    @post("/", status_code=HTTP_201_CREATED, summary="Create a plan with targets")
    async def create_plan(self, request: Request, data: JSONBody[PlanIn]) -> PlanOut:
        body = msgspec.structs.asdict(data)
        body["targets"] = _targets(data.targets)
        return plan_out(await services.create_plan(require(request), body))

    @get("/", summary="The plans of the organiser's organisation and its sub-organisations")
    async def list_plans(
        self, request: Request,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    ) -> dict:
        rows, total = await services.list_plans(require(request), limit, offset)
        return {"items": [plan_out(r) for r in rows], "total": total}

    @get("/{plan_id:int}")
    async def get_plan(self, request: Request, plan_id: FromPath[int]) -> PlanOut:
        return plan_out(await services.get_plan(require(request), plan_id))

    @patch("/{plan_id:int}")
    async def update_plan(self, request: Request, plan_id: FromPath[int],
                          data: JSONBody[PlanPatch]) -> PlanOut:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items()
                   if v is not msgspec.UNSET}
        if "targets" in changes:
            changes["targets"] = _targets(data.targets)
        return plan_out(await services.update_plan(require(request), plan_id, changes))

    @delete("/{plan_id:int}", status_code=HTTP_204_NO_CONTENT,
            summary="Delete a plan; its fairs stay, unlinked")
    async def delete_plan(self, request: Request, plan_id: FromPath[int]) -> None:
        await services.delete_plan(require(request), plan_id)

    @get("/{plan_id:int}/progress",
         summary="Scheduled and held fairs against each target, pace, coverage, attendance")
    async def progress(self, request: Request, plan_id: FromPath[int]) -> dict:
        return await progress.progress(require(request), plan_id)

    @post("/{plan_id:int}/proposals", status_code=200,
          summary="Propose draft fairs that close the plan's gap; nothing is saved")
    async def propose(self, request: Request, plan_id: FromPath[int],
                      data: JSONBody[ProposalIn]) -> dict:
        return await proposals.propose(require(request), plan_id, constraints(data))

    @post("/{plan_id:int}/proposals/accept", status_code=HTTP_201_CREATED,
          summary="Create a proposal's fairs as drafts of the plan, all or nothing")
    async def accept(self, request: Request, plan_id: FromPath[int],
                     data: JSONBody[AcceptIn]) -> dict:
        fairs = [msgspec.structs.asdict(f) for f in data.fairs]
        ids = await proposals.accept(require(request), plan_id, fairs)
        return {"created": ids, "total": len(ids), "status": "draft"}

    @post("/{plan_id:int}/publish", status_code=200,
          summary="Publish every draft fair of the plan")
    async def publish(self, request: Request, plan_id: FromPath[int]) -> dict:
        return {"published": await proposals.publish_drafts(require(request), plan_id)}


ROUTES = [PlanController]
