"""/api/v1: check-in, offline batches, walk-ins, self check-in, attendance and its live stream."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs import db
from fairs.accounts.auth import OWN_BEARER, bearer, organiser_guard, require, scanner_guard
from fairs.events import services as events
from fairs.events.services import iso
from fairs.tickets import qr
from fairs.tickets import services as tickets
from fairs.tickets.schemas import FoundAdmitIn, MaskedRegistration

from . import door, selfcheckin, services, viewers
from .schemas import (
    AttendanceOut,
    BatchIn,
    BatchOut,
    OnlineImportIn,
    OnlineSessionIn,
    OnlineSessionOut,
    ScanIn,
    ScanOut,
    SelfCheckInIn,
    SelfCheckInOut,
    SelfCodeOut,
    WalkInIn,
    WalkInOut,
    WindowIn,
    WindowOut,
)


def scan_out(answer: dict) -> ScanOut:
    return msgspec.convert(answer, ScanOut)


def self_url(request: Request, fair_id: int, token: str) -> str:
    base = str(request.base_url).rstrip("/")
    return f"{base}/checkin/{fair_id}/self?t={token}"


class CheckinController(Controller):
    path = "/api/v1/fairs/{fair_id:int}"
    tags = ["check-in"]

    # The scanner's bearer token is checked by the service, in the same round trip as the
    # ticket (OWN_BEARER); the service checks the role of either caller, as the scanner guard
    # does on the other routes.
    @post("/checkins", status_code=HTTP_200_OK, opt={OWN_BEARER: True},
          summary="Decide one scan: ok, already_checked_in, unknown, wrong_fair, cancelled, "
                  "not_open")
    async def check_in(self, request: Request, fair_id: FromPath[int],
                       data: JSONBody[ScanIn]) -> ScanOut:
        token = bearer(request)
        principal = require(request) if token is None else None
        answer = await services.check_in(
            fair_id, data.code, principal=principal, bearer=token, nonce=data.nonce,
            scanned_at=data.scanned_at, device=data.device or "", offline=data.offline)
        return scan_out(answer)

    @post("/checkins/batch", status_code=HTTP_200_OK, guards=[scanner_guard],
          summary="Offline scans, in the order taken; answers in the same order")
    async def check_in_batch(self, request: Request, fair_id: FromPath[int],
                             data: JSONBody[BatchIn]) -> BatchOut:
        scans = [msgspec.structs.asdict(s) for s in data.scans]
        answers = await services.check_in_batch(fair_id, scans, principal=require(request))
        results = [scan_out(a) for a in answers]
        return BatchOut(results=results, conflicts=sum(1 for r in results if r.conflict))

    @post("/walk-ins", status_code=HTTP_200_OK, guards=[scanner_guard],
          summary="The door kiosk: register a phone and a name and admit at once")
    async def walk_in(self, request: Request, fair_id: FromPath[int],
                      data: JSONBody[WalkInIn]) -> WalkInOut:
        answer = await selfcheckin.walk_in(fair_id, data.name, data.phone, data.audiences,
                                        principal=require(request),
                                        device=data.device or "kiosk")
        return msgspec.convert({k: v for k, v in answer.items() if k != "code"}, WalkInOut)

    @get("/self-checkin-code", guards=[scanner_guard],
         summary="The wall's rotating self check-in address (signed, short-lived)")
    async def self_code(self, request: Request, fair_id: FromPath[int]) -> SelfCodeOut:
        await door.ensure_may_scan(require(request), fair_id)
        token, expires = selfcheckin.self_token(request.app.state.settings.secret_key, fair_id)
        url = self_url(request, fair_id, token)
        return SelfCodeOut(url=url, token=token, expires_at=events.iso(expires),
                           svg=qr.svg_inline(url))

    @post("/self-checkin", status_code=HTTP_200_OK,
          summary="An attendee who scanned the wall admits their own ticket")
    async def self_check_in(self, request: Request, fair_id: FromPath[int],
                            data: JSONBody[SelfCheckInIn]) -> SelfCheckInOut:
        if not data.code:
            from fairs.accounts.auth import client_address

            await request.app.state.limiter.hit("register_ip", client_address(request))
        answer = await selfcheckin.self_check_in(
            request.app.state.settings.secret_key, fair_id, data.token, code=data.code,
            name=data.name, phone=data.phone)
        return msgspec.convert(answer, SelfCheckInOut)

    @get("/checkin-window", guards=[scanner_guard])
    async def get_window(self, fair_id: FromPath[int]) -> WindowOut:
        return WindowOut(**await door.get_window(fair_id))

    @put("/checkin-window", guards=[organiser_guard],
         summary="Set the fair's own check-in window (null: an hour before the start to the end)")
    async def set_window(self, request: Request, fair_id: FromPath[int],
                         data: JSONBody[WindowIn]) -> WindowOut:
        opens = events.aware(data.opens_at, "opens_at") if data.opens_at else None
        closes = events.aware(data.closes_at, "closes_at") if data.closes_at else None
        return WindowOut(**await door.set_window(require(request), fair_id, opens, closes))

    @get("/attendance", summary="Live counts: registered, checked in, walk-ins, employers "
                                "present, online viewers")
    async def attendance(self, request: Request, fair_id: FromPath[int]) -> AttendanceOut:
        await events.get_fair(fair_id, request.scope.get("user"), decorate=False)
        return AttendanceOut(**await services.attendance(fair_id))

    @get("/attendance/stream", media_type="text/event-stream",
         summary="text/event-stream of the attendance object on change",
         description="The same object as GET /attendance, sent at once and again whenever it "
                     "changes; a comment line when quiet (about every "
                     "FAIRS_STREAM_HEARTBEAT seconds); closed after FAIRS_STREAM_MAX_AGE (the "
                     "browser reconnects). 429 beyond FAIRS_STREAMS_PER_ADDRESS open streams "
                     "from one address, 503 beyond FAIRS_STREAMS_PER_PROCESS on one worker, "
                     "both with Retry-After.",
         opt={"problems": [429, 503]})
    async def attendance_stream(self, request: Request, fair_id: FromPath[int],
                                attendance_channels: NamedDependency[ChannelsPlugin]) -> Stream:
        from fairs.accounts.auth import client_address

        address = client_address(request)
        # beyond the caps: refused before the database is asked
        attendance_channels.check_stream(address)
        await events.get_fair(fair_id, request.scope.get("user"), decorate=False)
        return attendance_channels.open_stream(fair_id, address)

    @get("/online-sessions", summary="An online fair's sessions and their viewers")
    async def list_sessions(self, request: Request, fair_id: FromPath[int]) -> dict:
        await events.get_fair(fair_id, request.scope.get("user"), decorate=False)
        items = [OnlineSessionOut(**r) for r in await viewers.list_online_sessions(fair_id)]
        return {"items": items, "total": len(items)}

    @post("/online-sessions", status_code=HTTP_201_CREATED, guards=[organiser_guard])
    async def add_session(self, request: Request, fair_id: FromPath[int],
                          data: JSONBody[OnlineSessionIn]) -> OnlineSessionOut:
        starts = events.aware(data.starts_at, "starts_at") if data.starts_at else None
        made = await viewers.add_online_session(require(request), fair_id, data.label,
                                                 data.peak_viewers, data.total_views, starts)
        return OnlineSessionOut(**made)

    @post("/online-sessions/import", status_code=HTTP_201_CREATED, guards=[organiser_guard],
          summary="The livestream platform's CSV export: one row per session")
    async def import_sessions(self, request: Request, fair_id: FromPath[int],
                              data: JSONBody[OnlineImportIn]) -> dict:
        made = await viewers.import_online_sessions(require(request), fair_id, data.csv)
        return {"items": [OnlineSessionOut(**m) for m in made], "total": len(made)}

    @delete("/online-sessions/{session_id:int}", status_code=HTTP_204_NO_CONTENT,
            guards=[organiser_guard])
    async def delete_session(self, request: Request, fair_id: FromPath[int],
                             session_id: FromPath[int]) -> None:
        await viewers.delete_online_session(require(request), fair_id, session_id)

    @get("/scans/stats", guards=[organiser_guard], summary="Scan attempts by result")
    async def scan_stats(self, request: Request, fair_id: FromPath[int]) -> dict:
        await events.get_fair_for_update(require(request), fair_id)
        return {"items": await door.scan_stats(fair_id)}


class BenchController(Controller):
    """Test and benchmark only (FAIRS_BENCH_ENDPOINTS=on): the floor a check-in is compared
    with, a bare endpoint that inserts one row."""

    path = "/api/v1/bench"
    include_in_schema = False

    @post("/fairs/{fair_id:int}/insert", status_code=HTTP_200_OK)
    async def insert(self, request: Request, fair_id: FromPath[int]) -> dict:
        if not request.app.state.settings.bench_endpoints:
            raise NotFoundException()
        await db.execute(
            "INSERT INTO scan (fair, scanned_at, received_at, device, method, kind, result, "
            "offline) VALUES ({}, {}, {}, 'bench', 'scan', '', 'bench', {})",
            fair_id, services.now(), services.now(), False)
        return {"ok": True}



class DoorLookupController(Controller):
    """The door's phone look-up: a registration found by its phone's last 4 digits, admitted
    as a check-in (API.md "Registration and tickets"; here because check-in decides)."""

    path = "/api/v1/fairs/{fair_id:int}/registrations"
    tags = ["tickets"]

    @get("/lookup", guards=[scanner_guard],
         summary="Door staff: registrations whose phone ends in these 4 digits (masked)")
    async def lookup(self, request: Request, fair_id: FromPath[int],
                     last4: Annotated[str, QueryParameter(min_length=4, max_length=4)]) -> dict:
        principal = require(request)
        await door.ensure_may_scan(principal, fair_id)
        # Each lookup shows a few holders: throttled per scanner and fair (`lookup`).
        await request.app.state.limiter.hit("lookup", principal.id, fair_id)
        rows = await tickets.find_by_last4(fair_id, last4)
        items = [MaskedRegistration(id=r["id"], name=r["name"], phone=r["phone"],
                                    status=r["status"], checked_in_at=iso(r["checked_in_at"]))
                 for r in rows]
        return {"items": items, "total": len(items)}

    @post("/{registration_id:int}/admit", status_code=HTTP_200_OK, guards=[scanner_guard],
          summary="Door staff: admit a registration the phone look-up found (its id and the "
                  "same 4 digits); answers as a check-in")
    async def admit_found(self, request: Request, fair_id: FromPath[int],
                          registration_id: FromPath[int], data: JSONBody[FoundAdmitIn]) -> ScanOut:
        principal = require(request)
        await door.ensure_may_scan(principal, fair_id)
        # The same budget as the look-up: guessing the 4 digits of a known id is bounded too.
        await request.app.state.limiter.hit("lookup", principal.id, fair_id)
        code = await tickets.code_of_found(fair_id, registration_id, data.last4)
        answer = await services.check_in(fair_id, code, principal=principal, nonce=data.nonce,
                                         device=data.device or "")
        return msgspec.convert(answer, ScanOut)


ROUTES = [CheckinController, DoorLookupController, BenchController]
