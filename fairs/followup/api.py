"""/api/v1: follow-up of hiring intentions (API.md, Revision 2).

`GET /api/v1/followups?due_before=YYYY-MM-DD` (organiser: the tasks of its subtree's fairs;
also `status`, `fair`, `audience`, `limit`, `offset`) -> {"items": [{"id", "intention",
"due_on", "status", ...}], "total", "counts"}; `due_before` is exclusive, overdue open tasks come
first, then by due date. `POST /api/v1/followups/{id}` {"outcome", "started_on"?, "notes"?} ->
200, the task. `POST /api/v1/followups/{id}/phone` -> the job seeker's name and number in full
(audited). `POST /api/v1/intentions/{id}/hire` {"started_on", "notes"?} (the employer that
recorded the intention) -> 200; `GET /api/v1/me/intentions` (an employer) its intentions with
their follow-up.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.bounds import parse_date
from fairs.events.times import iso

from . import services
from .schemas import (
    ContactOut,
    EmployerIntentionList,
    EmployerIntentionOut,
    FollowupCounts,
    FollowupList,
    FollowupOut,
    FollowupStep,
    HireIn,
    OutcomeIn,
)

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
Text = Annotated[str | None, QueryParameter(max_length=40)]
FairId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


def _day(value) -> str | None:
    return value.isoformat() if value else None


def followup_out(item: dict) -> FollowupOut:
    steps = None
    if "steps" in item:
        steps = [FollowupStep(id=s["id"], step=s["step"], days=s["days"],
                              due_on=_day(s["due_on"]) or "", status=s["status"],
                              outcome=s["outcome"], started_on=_day(s["started_on"]))
                 for s in item["steps"]]
    return FollowupOut(
        id=item["id"], intention=item["intention"], due_on=_day(item["due_on"]) or "",
        status=item["status"], step=item["step"], days=item["days"], overdue=item["overdue"],
        outcome=item["outcome"], started_on=_day(item["started_on"]), notes=item["notes"],
        fair=item["fair"], fair_title=item["fair_title"], employer=item["employer"],
        employer_name=item["employer_name"], position=item["position"],
        position_title=item["position_title"], name=item["name"], phone=item["phone"],
        audiences=item["audiences"], graduate=item["graduate"],
        intended_at=iso(item["intended_at"]) or "", steps=steps)


def intention_out(item: dict) -> EmployerIntentionOut:
    return EmployerIntentionOut(
        id=item["id"], fair=item["fair"], fair_title=item["fair_title"],
        position=item["position"], position_title=item["position_title"],
        created_at=iso(item["created_at"]) or "", name=item["name"], outcome=item["outcome"],
        started_on=_day(item["started_on"]), hired=item["hired"])


def followup_filter(due_before: str | None, status: str | None, fair: int | None,
                    audience: str | None) -> services.FollowupFilter:
    return services.FollowupFilter(due_before=parse_date(due_before, "due_before"),
                                   status=status or None, fair=fair, audience=audience or None)


class FollowupController(Controller):
    path = "/api/v1/followups"
    tags = ["follow-up"]
    guards = [organiser_guard]

    @get("/", summary="Follow-up tasks of your organisation's fairs: overdue first, then by "
                      "due date")
    async def list_followups(self, request: Request, due_before: Text = None,
                             status: Text = None, fair: FairId = None, audience: Text = None,
                             limit: Limit = 100, offset: Offset = 0) -> FollowupList:
        found = await services.listing(require(request),
                                       followup_filter(due_before, status, fair, audience),
                                       limit, offset)
        return FollowupList(items=[followup_out(i) for i in found["items"]],
                            total=found["total"], counts=FollowupCounts(**found["counts"]))

    @get("/{task_id:int}", summary="One follow-up task and its intention's other steps")
    async def get_followup(self, request: Request, task_id: FromPath[int]) -> FollowupOut:
        return followup_out(await services.get_task(require(request), task_id))

    @post("/{task_id:int}", status_code=200,
          summary="Record the outcome of a follow-up call (hired needs started_on)")
    async def record(self, request: Request, task_id: FromPath[int],
                     data: JSONBody[OutcomeIn]) -> FollowupOut:
        item = await services.record_outcome(require(request), task_id, data.outcome,
                                             data.started_on, data.notes)
        return followup_out(item)

    @post("/{task_id:int}/phone", status_code=200,
          summary="The job seeker's name and number in full, to call (each look is audited)")
    async def phone(self, request: Request, task_id: FromPath[int]) -> ContactOut:
        found = await services.reveal(require(request), task_id)
        return ContactOut(**found)


class EmployerIntentionController(Controller):
    path = "/api/v1"
    tags = ["follow-up"]
    guards = [employer_guard]

    @get("/me/intentions", summary="Your company's hiring intentions and their follow-up")
    async def mine(self, request: Request, limit: Limit = 100,
                   offset: Offset = 0) -> EmployerIntentionList:
        found = await services.employer_intentions(require(request), limit, offset)
        return EmployerIntentionList(items=[intention_out(i) for i in found["items"]],
                                     total=found["total"])

    @post("/intentions/{intention_id:int}/hire", status_code=200,
          summary="Confirm that your company hired the job seeker of one of its intentions")
    async def hire(self, request: Request, intention_id: FromPath[int],
                   data: JSONBody[HireIn]) -> EmployerIntentionOut:
        item = await services.confirm_hire(require(request), intention_id, data.started_on,
                                           data.notes)
        return intention_out(item)


ROUTES = [FollowupController, EmployerIntentionController]
