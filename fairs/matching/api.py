"""/api/v1: a job seeker's profile and the positions ranked for them (by the ticket's secret;
the door code answers 404), and what an employer sees of the demand for its positions
(API.md, Revision 2, "Job seekers: matching and follow-up").

- `GET /api/v1/tickets/{secret}/matches` -> `{"items": [{"position", "title", "employer",
  "employer_name", "booth"?, "zone"?, "slot"?, "score", "parts", "reasons", "fits",
  "interested", "url"}], "total", "profile"}`, best first (`limit`, `offset`).
- `GET|PUT|DELETE /api/v1/tickets/{secret}/profile`: the holder's profile (PUT takes what the
  registration's `profile` takes; 409 for a cancelled registration).
- `GET /api/v1/me/demand?fair=` (an employer): per position, the fair's profiles and how many
  it fits, interested job seekers and how many may be contacted; without `fair`, every fair
  not yet ended where it offers positions.
- `GET /api/v1/me/seekers?fair=` (an employer): the job seekers who marked its positions and
  agreed to be contacted (name and number); `hidden` counts the others.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from fairs.accounts.auth import employer_guard, require
from fairs.booths.interests import employer_page_path
from fairs.events.services import iso
from fairs.tickets.schemas import ProfileIn

from . import demand, services
from .schemas import DemandOut, MatchesOut, MatchOut, ProfileOut, SeekerOut, SlotOut

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
IdParam = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def profile_out(p: dict) -> ProfileOut:
    return ProfileOut(industries=p["industries"], education=p["education"],
                      job_types=p["job_types"], expected_pay=p["expected_pay"],
                      consent_contact=p["consent_contact"], major=p["major"],
                      districts=p["districts"], consented_at=iso(p["consented_at"]),
                      updated_at=iso(p["updated_at"]))


def match_out(item: dict, fair_id: int) -> MatchOut:
    slot = item["slot"]
    return MatchOut(
        position=item["position"], title=item["title"], employer=item["employer"],
        employer_name=item["employer_name"], score=item["score"], parts=item["parts"],
        reasons=item["reasons"], fits=item["fits"], interested=item["interested"],
        booth=item["booth"], zone=(item["zone"] or None) if item["booth"] else None,
        slot=SlotOut(id=slot["id"], starts_at=iso(slot["starts_at"]),
                     ends_at=iso(slot["ends_at"]), label=slot["label"]) if slot else None,
        url=employer_page_path(fair_id, item["employer"]))


class TicketMatchingController(Controller):
    path = "/api/v1/tickets"
    tags = ["matching"]

    @get("/{secret:str}/matches",
         summary="The fair's positions ranked for the ticket's holder, best first (by the "
                 "ticket's secret; a door code is not found)")
    async def matches(self, secret: FromPath[str], limit: Limit = 100,
                      offset: Offset = 0) -> Response[MatchesOut]:
        row, profile, items = await services.matches(secret)
        return Response(MatchesOut(
            items=[match_out(i, row["fair"]) for i in items[offset:offset + limit]],
            total=len(items), profile=profile is not None), headers=PRIVATE)

    @get("/{secret:str}/profile", summary="The holder's job-seeker profile (404 when none)")
    async def get_profile(self, secret: FromPath[str]) -> Response[ProfileOut]:
        return Response(profile_out(await services.own_profile(secret)), headers=PRIVATE)

    @put("/{secret:str}/profile",
         summary="Give or replace the holder's profile (with their consent to its use for "
                 "matching, kept until the registration's data is erased)")
    async def put_profile(self, secret: FromPath[str],
                          data: JSONBody[ProfileIn]) -> Response[ProfileOut]:
        return Response(profile_out(await services.put_profile(secret, data)), headers=PRIVATE)

    @delete("/{secret:str}/profile", status_code=HTTP_204_NO_CONTENT,
            summary="Delete the holder's profile (idempotent)")
    async def delete_profile(self, secret: FromPath[str]) -> None:
        await services.delete_profile(secret)


class DemandController(Controller):
    path = "/api/v1/me"
    tags = ["matching"]
    guards = [employer_guard]

    @get("/demand", summary="How many registrants' profiles each of my positions fits, and "
                            "how many job seekers marked it")
    async def demand(self, request: Request, fair: IdParam = None) -> dict:
        rows = await demand.demand(require(request), fair)
        return {"items": [DemandOut(
            position=r["position"], title=r["title"], fair=r["fair"],
            fair_title=r["fair_title"], profiles=r["profiles"], fits=r["fits"],
            interested=r["interested"], contactable=r["contactable"]) for r in rows],
            "total": len(rows)}

    @get("/seekers", summary="Job seekers who marked my positions and agreed to be contacted")
    async def seekers(self, request: Request, fair: IdParam = None, limit: Limit = 100,
                      offset: Offset = 0) -> Response[dict]:
        found = await demand.contactable_seekers(require(request), fair, limit, offset)
        return Response({"items": [SeekerOut(
            id=r["id"], fair=r["fair"], fair_title=r["fair_title"], position=r["position"],
            title=r["title"], name=r["name"], phone=r["phone"], industries=r["industries"],
            job_types=r["job_types"], education=r["education"], major=r["major"],
            expected_pay=r["expected_pay"], score=r["score"], reasons=r["reasons"],
            created_at=iso(r["created_at"])) for r in found["items"]],
            "total": found["total"], "hidden": found["hidden"]}, headers=PRIVATE)


ROUTES = [TicketMatchingController, DemandController]
