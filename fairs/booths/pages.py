"""Pages: the employer's home, floor plan, guest slots and positions editor; the organiser's
layout editor, bookings and waitlist, guest-slot editor and the no-show ledger; the public
running order and "jobs at this fair"."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.employers import services as employers
from fairs.errors import FairsError, Invalid
from fairs.events import services as events
from fairs.hooks import PageSection
from fairs.web import form_int, form_text, page

from . import services
from .labels import LABELS


def _grid(booths: list[dict]) -> dict:
    cols = max((b["x"] + b["w"] for b in booths), default=1)
    rows = max((b["y"] + b["h"] for b in booths), default=1)
    return {"cols": cols, "rows": rows}


def _back(request: Request, default: str) -> str:
    ref = request.headers.get("referer", "")
    path = "/" + ref.split("://", 1)[-1].split("/", 1)[-1] if "://" in ref else ""
    return path if path.startswith("/") and not path.startswith("//") else default


class EmployerPages(Controller):
    path = "/employer"
    guards = [employer_guard]
    include_in_schema = False

    @get("/")
    async def home(self, request: Request) -> Template:
        principal = require(request)
        employer = await employers.employer_for(principal)
        standing = await services.employer_standing(employer["id"])
        bookings = await services.my_bookings(principal)
        slot_bookings = await services.my_slot_bookings(principal)
        booked_fairs = {b["fair"] for b in bookings} | {s["fair"] for s in slot_bookings}
        fairs = await services.open_fairs() if employer["status"] == "approved" else []
        return page(request, "booths/employer_home.html", employer=employers.public(employer),
                    standing=standing, bookings=bookings, slot_bookings=slot_bookings,
                    fairs=fairs, booked_fairs=booked_fairs,
                    staff=await employers.staff(employer["id"]),
                    registered=bool(request.query_params.get("registered")), **LABELS)

    @get("/fairs/{fair_id:int}")
    async def fair(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = require(request)
        employer = await employers.employer_for(principal)
        fair = await services.fair_row(fair_id, principal)
        mine = [b for b in await services.my_bookings(principal) if b["fair"] == fair_id]
        opens, closes = services.booking_window(fair)
        ctx = dict(fair=fair, employer=employers.public(employer),
                   mine=mine[0] if mine else None, opens=opens, closes=closes)
        if fair["kind"] == "online":
            slots = await services.list_slots(fair_id, principal)
            my_slot = next((s for s in await services.my_slot_bookings(principal)
                            if s["fair"] == fair_id), None)
            return page(request, "booths/employer_slots.html", slots=slots, my_slot=my_slot,
                        **ctx)
        booths = await services.list_booths(fair_id, principal)
        return page(request, "booths/floor_plan.html", booths=booths, grid=_grid(booths),
                    counts=await services.booth_counts(fair_id), **ctx)

    @post("/fairs/{fair_id:int}/book", status_code=303)
    async def book(self, request: Request, fair_id: FromPath[int], data: FormData) -> Redirect:
        await services.book_booth(require(request), fair_id, str(data.get("booth") or "") or None)
        return Redirect(path=f"/employer/fairs/{fair_id}", status_code=303)

    @post("/slots/{slot_id:int}/book", status_code=303)
    async def book_slot(self, request: Request, slot_id: FromPath[int],
                        data: FormData) -> Redirect:
        made = await services.book_slot(require(request), slot_id, str(data.get("topic") or ""))
        return Redirect(path=f"/employer/fairs/{made['fair']}", status_code=303)

    @post("/bookings/{booking_id:int}/cancel", status_code=303)
    async def cancel(self, request: Request, booking_id: FromPath[int]) -> Redirect:
        await services.cancel_booking(require(request), booking_id)
        return Redirect(path="/employer", status_code=303)

    @post("/slot-bookings/{slot_booking_id:int}/cancel", status_code=303)
    async def cancel_slot(self, request: Request, slot_booking_id: FromPath[int]) -> Redirect:
        await services.cancel_slot_booking(require(request), slot_booking_id)
        return Redirect(path="/employer", status_code=303)

    async def _positions_page(self, request: Request, booking_id: int, slot: bool,
                              errors: dict | None = None, values: dict | None = None,
                              status_code: int = 200) -> Template:
        principal = require(request)
        booking = (await services.get_slot_booking(booking_id, principal) if slot
                   else await services.get_booking(booking_id, principal))
        positions = await services.booking_positions(booking_id, slot)
        return page(request, "booths/positions.html", status_code=status_code, booking=booking,
                    slot=slot, positions=positions, errors=errors or {}, values=values or {},
                    **LABELS)

    @get("/bookings/{booking_id:int}/positions")
    async def positions(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await self._positions_page(request, booking_id, False)

    @get("/slot-bookings/{booking_id:int}/positions")
    async def slot_positions(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await self._positions_page(request, booking_id, True)

    async def _add(self, request: Request, booking_id: int, slot: bool,
                   data: dict) -> Template | Redirect:
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        try:
            body = {k: values.get(k, "") for k in ("title", "education", "experience",
                                                   "job_type", "major", "description")}
            for k in ("headcount", "salary_min", "salary_max"):
                body[k] = form_int(values, k, 0 if k != "headcount" else None)
            await services.add_position(require(request), booking_id, body, slot=slot)
        except FairsError as exc:
            errors = {e.field: e.message for e in exc.errors} or {"": exc.detail}
            return await self._positions_page(request, booking_id, slot, errors, values,
                                              status_code=exc.status)
        kind = "slot-bookings" if slot else "bookings"
        return Redirect(path=f"/employer/{kind}/{booking_id}/positions", status_code=303)

    @post("/bookings/{booking_id:int}/positions", status_code=303)
    async def add_position(self, request: Request, booking_id: FromPath[int],
                           data: FormData) -> Template | Redirect:
        return await self._add(request, booking_id, False, data)

    @post("/slot-bookings/{booking_id:int}/positions", status_code=303)
    async def add_slot_position(self, request: Request, booking_id: FromPath[int],
                                data: FormData) -> Template | Redirect:
        return await self._add(request, booking_id, True, data)

    @post("/positions/{position_id:int}/delete", status_code=303)
    async def delete_position(self, request: Request, position_id: FromPath[int]) -> Redirect:
        await services.delete_position(require(request), position_id)
        return Redirect(path=_back(request, "/employer"), status_code=303)


class OrganiserBoothPages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/booths")
    async def fairs(self, request: Request) -> Template:
        principal = require(request)
        rows = await services.organisers_coming_fairs(principal)
        counts = await services.fair_counts([r["id"] for r in rows])
        return page(request, "booths/organiser_fairs.html", fairs=rows, counts=counts)

    @get("/fairs/{fair_id:int}/booths")
    async def layout(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = require(request)
        fair = await services.managed_fair(principal, fair_id)
        if fair["kind"] == "online":
            return await self._slots(request, fair)
        booths = await services.list_booths(fair_id, principal)
        return page(request, "booths/layout.html", fair=fair, booths=booths, grid=_grid(booths),
                    counts=await services.booth_counts(fair_id),
                    bookings=await services.fair_bookings(principal, fair_id),
                    sources=await services.layout_sources(fair, principal))

    async def _slots(self, request: Request, fair: dict) -> Template:
        principal = require(request)
        return page(request, "booths/slots.html", fair=fair,
                    slots=await services.list_slots(fair["id"], principal))

    @post("/fairs/{fair_id:int}/booths/generate", status_code=303)
    async def generate(self, request: Request, fair_id: FromPath[int],
                       data: FormData) -> Redirect:
        principal = require(request)
        rows = form_int(data, "rows", 4, lo=1, hi=40) or 4
        cols = form_int(data, "cols", 8, lo=1, hi=40) or 8
        zones = [z.strip().upper() for z in form_text(data, "zones", 200).split(",")
                 if z.strip()] or ["A"]
        if len(zones) > 26 or any(len(z) > 8 for z in zones):
            raise Invalid("zones", "at most 26 zones of up to 8 characters")
        current = await services.list_booths(fair_id, principal)
        layout = [{k: b[k] for k in ("code", "zone", "x", "y", "w", "h", "step_free",
                                     "blocked")} for b in current]
        taken = {b["code"] for b in layout}
        top = max((b["y"] + b["h"] for b in layout), default=0) + (1 if layout else 0)
        for zi, zone in enumerate(zones):
            for r in range(rows):
                for c in range(cols):
                    code = f"{zone}{r * cols + c + 1:02d}"
                    if code in taken:
                        continue
                    layout.append({"code": code, "zone": zone, "x": c,
                                   "y": top + zi * (rows + 1) + r, "w": 1, "h": 1,
                                   "step_free": r == 0, "blocked": False})
        await services.set_layout(principal, fair_id, layout)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/fairs/{fair_id:int}/booths", status_code=303)
    async def save(self, request: Request, fair_id: FromPath[int], data: FormData) -> Redirect:
        """The layout table: rows code-N, zone-N, x-N, ...; an emptied code removes the booth."""
        layout = []
        n = form_int(data, "count", 0, lo=0, hi=2000) or 0
        for i in range(n + 1):
            code = str(data.get(f"code-{i}") or "").strip()
            if not code:
                continue
            layout.append({"code": code, "zone": str(data.get(f"zone-{i}") or ""),
                           "x": form_int(data, f"x-{i}", 0), "y": form_int(data, f"y-{i}", 0),
                           "w": form_int(data, f"w-{i}", 1), "h": form_int(data, f"h-{i}", 1),
                           "step_free": bool(data.get(f"step_free-{i}")),
                           "blocked": bool(data.get(f"blocked-{i}"))})
        await services.set_layout(require(request), fair_id, layout)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/fairs/{fair_id:int}/booths/copy", status_code=303)
    async def copy(self, request: Request, fair_id: FromPath[int], data: FormData) -> Redirect:
        await services.copy_layout(require(request), fair_id, form_int(data, "from", 0) or 0)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/fairs/{fair_id:int}/slots", status_code=303)
    async def add_slots(self, request: Request, fair_id: FromPath[int],
                        data: FormData) -> Redirect:
        principal = require(request)
        fair = await services.managed_fair(principal, fair_id)
        minutes = form_int(data, "minutes", 15, lo=5, hi=720) or 15
        gap = form_int(data, "gap", 0, lo=0, hi=720) or 0
        start = str(data.get("starts_at") or "").strip()
        end = str(data.get("ends_at") or "").strip()
        try:
            start_at = events.aware(datetime.fromisoformat(start[:40]), "starts_at") \
                if start else fair["starts_at"]
            end_at = events.aware(datetime.fromisoformat(end[:40]), "ends_at") \
                if end else fair["ends_at"]
        except ValueError as exc:
            raise Invalid("starts_at", "a date and time") from exc
        slots = services.split_session(start_at, end_at, minutes, gap)
        if not slots:
            raise Invalid("minutes", "no slot fits between these times")
        await services.add_slots(principal, fair_id, slots)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/slots/{slot_id:int}/delete", status_code=303)
    async def delete_slot(self, request: Request, slot_id: FromPath[int]) -> Redirect:
        await services.delete_slot(require(request), slot_id)
        return Redirect(path=_back(request, "/organiser/booths"), status_code=303)

    @post("/bookings/{booking_id:int}/cancel", status_code=303)
    async def cancel_booking(self, request: Request, booking_id: FromPath[int]) -> Redirect:
        await services.cancel_booking(require(request), booking_id)
        return Redirect(path=_back(request, "/organiser/booths"), status_code=303)

    @post("/slot-bookings/{slot_booking_id:int}/cancel", status_code=303)
    async def cancel_slot(self, request: Request, slot_booking_id: FromPath[int]) -> Redirect:
        await services.cancel_slot_booking(require(request), slot_booking_id)
        return Redirect(path=_back(request, "/organiser/booths"), status_code=303)

    @get("/no-shows")
    async def ledger(self, request: Request) -> Template:
        principal = require(request)
        rows = await services.list_no_shows(
            principal, form_int(request.query_params, "employer", lo=1, hi=2**31 - 1))
        return page(request, "booths/ledger.html", records=rows,
                    rules=await services.get_rules())

    @post("/no-shows/{no_show_id:int}/annul", status_code=303)
    async def annul(self, request: Request, no_show_id: FromPath[int],
                    data: FormData) -> Redirect:
        await services.annul_no_show(require(request), no_show_id, str(data.get("note") or ""))
        return Redirect(path="/organiser/no-shows", status_code=303)

    @post("/no-shows/{no_show_id:int}/explain", status_code=303)
    async def explain(self, request: Request, no_show_id: FromPath[int],
                      data: FormData) -> Redirect:
        await services.explain_no_show(require(request), no_show_id,
                                       str(data.get("note") or ""))
        return Redirect(path="/organiser/no-shows", status_code=303)

    @post("/booking-rules", status_code=303)
    async def rules(self, request: Request, data: FormData) -> Redirect:
        changes = {k: form_int(data, k) for k in services.DEFAULT_RULES}
        await services.set_rules(require(request), changes)
        return Redirect(path="/organiser/no-shows", status_code=303)


class PublicBoothPages(Controller):
    include_in_schema = False

    @get("/fairs/{fair_id:int}/running-order")
    async def running_order(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = request.scope.get("user")
        fair = await services.fair_row(fair_id, principal)
        return page(request, "booths/running_order.html", fair=fair,
                    slots=await services.list_slots(fair_id, principal), now=services.now())

    @get("/fairs/{fair_id:int}/jobs")
    async def jobs(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = request.scope.get("user")
        fair = await services.fair_row(fair_id, principal)
        q = form_text(request.query_params, "q") or None
        job_type = request.query_params.get("job_type") or None
        if job_type not in services.JOB_TYPES:
            job_type = None
        rows, total = await services.fair_positions(fair_id, principal, q, job_type, limit=500)
        return page(request, "booths/jobs.html", fair=fair, positions=rows, total=total,
                    q=q or "", job_type=job_type or "", **LABELS)


async def jobs_section(request, fair: dict) -> PageSection | None:
    if fair["status"] == "draft":
        return None
    summary = (await services.jobs_summaries([fair["id"]])).get(fair["id"], {})
    return PageSection("booths/_fair_section.html", order=30,
                       context={"positions": summary.get("positions", 0),
                                "headcount": summary.get("headcount", 0)})


ROUTES = [EmployerPages, OrganiserBoothPages, PublicBoothPages]
