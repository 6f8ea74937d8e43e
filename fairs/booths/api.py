"""/api/v1: booth layouts, bookings and the waitlist, guest slots, posters and interests
(positions and the no-show ledger: fairs.employers.api).

Guest slots (online fairs) are this slice's own design:
`POST /api/v1/fairs/{id}/slots` `{"slots": [{"starts_at","ends_at","label"?}]}` (organiser; slots
of one session never overlap: 409) -> 201 `{"items": [...]}`; `GET /api/v1/fairs/{id}/slots`
(anyone); `POST /api/v1/slots/{id}/bookings` `{"topic"?}` (approved employer) -> 201, 409 when
the slot is taken or the employer already has a slot in that session;
`DELETE /api/v1/slot-bookings/{id}` -> 204.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs.accounts.auth import employer_guard, logged_in, organiser_guard, require
from fairs.employers.schemas import position_out
from fairs.events.services import iso

from . import bookings, interests, layouts, slots
from .schemas import (
    BookingIn,
    BookingOut,
    BoothOut,
    CopyLayoutIn,
    EmployerAtFairOut,
    InterestedOut,
    InterestIn,
    InterestOut,
    LayoutIn,
    SlotBookingIn,
    SlotBookingOut,
    SlotOut,
    SlotsIn,
    TicketInterestOut,
)

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
IdParam = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


def booth_out(r: dict) -> BoothOut:
    return BoothOut(code=r["code"], zone=r["zone"], status=r["status"], x=r["x"], y=r["y"],
                    w=r["w"], h=r["h"], step_free=r["step_free"],
                    employer_name=r["employer_name"] if r["status"] == "booked" else None)


def booking_out(r: dict) -> BookingOut:
    return BookingOut(
        id=r["id"], fair=r["fair"], employer=r["employer"], status=r["status"],
        booth=r["booth_code"] if r["status"] != "waitlisted" else None,
        code=r["code"] if r["status"] == "confirmed" else None, place=r.get("place"),
        fair_title=r.get("fair_title") or "", employer_name=r.get("employer_name") or "",
        created_at=iso(r.get("created_at")), checked_in_at=iso(r.get("checked_in_at")),
    )


def slot_out(r: dict) -> SlotOut:
    return SlotOut(id=r["id"], fair=r["fair"], starts_at=iso(r["starts_at"]),
                   ends_at=iso(r["ends_at"]), label=r["label"], status=r["status"],
                   employer_name=r["employer_name"], topic=r["topic"])


def slot_booking_out(r: dict) -> SlotBookingOut:
    return SlotBookingOut(
        id=r["id"], slot=r["slot"], fair=r["fair"], employer=r["employer"], status=r["status"],
        starts_at=iso(r["starts_at"]), ends_at=iso(r["ends_at"]), label=r["label"],
        topic=r["topic"], fair_title=r.get("fair_title") or "",
        employer_name=r.get("employer_name") or "",
    )


def _items(items: list) -> dict:
    return {"items": items, "total": len(items)}


class FairBoothController(Controller):
    path = "/api/v1/fairs/{fair_id:int}"
    tags = ["booths"]

    @put("/booths", guards=[organiser_guard], summary="Set the fair's booth layout")
    async def set_layout(self, request: Request, fair_id: FromPath[int],
                         data: JSONBody[LayoutIn]) -> dict:
        booths = [msgspec.structs.asdict(b) for b in data.booths]
        rows = await layouts.set_layout(require(request), fair_id, booths)
        return _items([booth_out(r) for r in rows])

    @post("/booths/copy", status_code=HTTP_200_OK, guards=[organiser_guard],
          summary="Copy the layout of another fair at the same venue")
    async def copy_layout(self, request: Request, fair_id: FromPath[int],
                          data: JSONBody[CopyLayoutIn]) -> dict:
        rows = await layouts.copy_layout(require(request), fair_id, data.from_fair)
        return _items([booth_out(r) for r in rows])

    @get("/booths", summary="The layout with each booth's status (free, booked, blocked)")
    async def list_booths(self, request: Request, fair_id: FromPath[int]) -> dict:
        rows = await layouts.list_booths(fair_id, request.scope.get("user"))
        return _items([booth_out(r) for r in rows])

    @post("/bookings", status_code=HTTP_201_CREATED, guards=[employer_guard],
          summary="Book a booth, or any free one (202 and a waitlist place when none is free)")
    async def book(self, request: Request, fair_id: FromPath[int],
                   data: JSONBody[BookingIn]) -> Response[BookingOut]:
        row = await bookings.book_booth(require(request), fair_id, data.booth)
        return Response(booking_out(row), status_code=201 if row["status"] == "confirmed"
                        else 202)

    @get("/bookings", guards=[organiser_guard],
         summary="Confirmed bookings, then the waitlist in order")
    async def fair_bookings(
        self, request: Request, fair_id: FromPath[int],
        all_: Annotated[bool, QueryParameter(name="all")] = False,
    ) -> dict:
        rows = await bookings.fair_bookings(require(request), fair_id, all_)
        return _items([booking_out(r) for r in rows])

    @post("/slots", status_code=HTTP_201_CREATED, guards=[organiser_guard],
          summary="Add guest slots to an online session (never overlapping)")
    async def add_slots(self, request: Request, fair_id: FromPath[int],
                        data: JSONBody[SlotsIn]) -> dict:
        rows = await slots.add_slots(require(request), fair_id,
                                     [msgspec.structs.asdict(s) for s in data.slots])
        return _items([slot_out(r) for r in rows])

    @get("/slots", summary="An online session's guest slots: the running order")
    async def list_slots(self, request: Request, fair_id: FromPath[int]) -> dict:
        rows = await slots.list_slots(fair_id, request.scope.get("user"))
        return _items([slot_out(r) for r in rows])


class BookingController(Controller):
    path = "/api/v1"
    tags = ["booths"]

    @get("/bookings/{booking_id:int}", guards=[logged_in])
    async def get_booking(self, request: Request, booking_id: FromPath[int]) -> BookingOut:
        return booking_out(await bookings.get_booking(booking_id, require(request)))

    @delete("/bookings/{booking_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[logged_in],
            summary="Cancel; the booth goes to the first waitlisted employer")
    async def cancel_booking(self, request: Request, booking_id: FromPath[int]) -> None:
        await bookings.cancel_booking(require(request), booking_id)

    @get("/me/bookings", guards=[employer_guard], summary="My bookings and waitlist places")
    async def my_bookings(self, request: Request) -> dict:
        principal = require(request)
        rows = await bookings.my_bookings(principal)
        mine = await slots.my_slot_bookings(principal)
        return {"items": [booking_out(r) for r in rows],
                "slots": [slot_booking_out(r) for r in mine], "total": len(rows)}

    @delete("/slots/{slot_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[organiser_guard])
    async def delete_slot(self, request: Request, slot_id: FromPath[int]) -> None:
        await slots.delete_slot(require(request), slot_id)

    @post("/slots/{slot_id:int}/bookings", status_code=HTTP_201_CREATED,
          guards=[employer_guard], summary="Book a guest slot")
    async def book_slot(self, request: Request, slot_id: FromPath[int],
                        data: JSONBody[SlotBookingIn]) -> SlotBookingOut:
        return slot_booking_out(await slots.book_slot(require(request), slot_id, data.topic))

    @get("/slot-bookings/{slot_booking_id:int}", guards=[logged_in])
    async def get_slot_booking(self, request: Request,
                               slot_booking_id: FromPath[int]) -> SlotBookingOut:
        return slot_booking_out(await slots.get_slot_booking(slot_booking_id,
                                                             require(request)))

    @delete("/slot-bookings/{slot_booking_id:int}", status_code=HTTP_204_NO_CONTENT,
            guards=[logged_in])
    async def cancel_slot_booking(self, request: Request,
                                  slot_booking_id: FromPath[int]) -> None:
        await slots.cancel_slot_booking(require(request), slot_booking_id)


class InterestController(Controller):
    """Posters' pages and attendees' interest in positions. The ticket code is the attendee's
    credential (as for the ticket page): no login; the answers never show another person's data.
    `POST /api/v1/positions/{id}/interests` `{"code"}` -> 201, or 200 when this ticket had already
    marked this position (counted once); 422 naming `code` for an unknown ticket or one of another
    fair, 409 naming `code` for a cancelled registration, 404 for a position that is not offered."""

    path = "/api/v1"
    tags = ["booths"]

    @get("/fairs/{fair_id:int}/employers/{employer_id:int}",
         summary="An employer at a fair (what its poster's QR opens): booth or slot, positions")
    async def employer_at_fair(self, request: Request, fair_id: FromPath[int],
                               employer_id: FromPath[int]) -> EmployerAtFairOut:
        found = await interests.employer_at_fair(fair_id, employer_id, request.scope.get("user"))
        e = found["employer"]
        return EmployerAtFairOut(
            fair=fair_id, employer=employer_id, name=e["name"], industry=e["industry"],
            kind=e["kind"], booth=e["booth"], starts_at=iso(e["starts_at"]),
            ends_at=iso(e["ends_at"]), url=found["path"],
            poster_qr=request.app.state.settings.base_url + found["path"],
            positions=[position_out(p) for p in found["positions"]])

    @post("/positions/{position_id:int}/interests", status_code=HTTP_201_CREATED,
          summary="Mark interest in a position with a ticket of that fair (once per ticket)")
    async def mark(self, position_id: FromPath[int],
                   data: JSONBody[InterestIn]) -> Response[InterestOut]:
        row, created = await interests.mark_interest(data.secret, position_id)
        return Response(InterestOut(id=row["id"], position=row["position"], title=row["title"],
                                    fair=row["fair"], employer=row["employer"],
                                    created_at=iso(row["created_at"]), created=created),
                         status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @delete("/positions/{position_id:int}/interests", status_code=HTTP_204_NO_CONTENT,
            summary="Withdraw an interest (idempotent)")
    async def withdraw(self, position_id: FromPath[int], data: JSONBody[InterestIn]) -> None:
        await interests.withdraw_interest(data.secret, position_id)

    @get("/tickets/{secret:str}/interests",
         summary="The positions a ticket's holder marked (by the ticket's secret)")
    async def ticket_interests(self, secret: FromPath[str]) -> Response[dict]:
        rows = await interests.ticket_interests(secret)
        items = [TicketInterestOut(
            id=r["id"], position=r["position"], title=r["title"], fair=r["fair"],
            employer=r["employer"], employer_name=r["employer_name"], booth=r["booth"],
            url=r["path"], created_at=iso(r["created_at"])) for r in rows]
        return Response({"items": items, "total": len(items)},
                        headers={"Cache-Control": "private, no-store"})

    @get("/me/interests", guards=[employer_guard],
         summary="Job seekers interested in my positions (masked), optionally for one fair")
    async def interested(
        self, request: Request, fair: IdParam = None,
        limit: Limit = 500, offset: Offset = 0,
    ) -> dict:
        found = await interests.interested_job_seekers(require(request), fair, limit, offset)
        return {"items": [InterestedOut(
            id=r["id"], fair=r["fair"], fair_title=r["fair_title"], position=r["position"],
            title=r["title"], name=r["name"], phone=r["phone"],
            created_at=iso(r["created_at"])) for r in found["items"]],
            "total": found["total"],
            "positions": [{"position": r["position"], "title": r["title"], "fair": r["fair"],
                           "interested": int(r["n"])} for r in found["positions"]]}


ROUTES = [FairBoothController, BookingController, InterestController]
