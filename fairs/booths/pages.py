"""Pages: the employer's home, floor plan and guest slots; the organiser's layout editor,
bookings and waitlist and guest-slot editor; the public running order, and the fair page's
"jobs at this fair" section (the positions editor, the jobs list and the no-show ledger:
fairs.employers.pages)."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.employers import ledger
from fairs.employers import services as employers
from fairs.employers.labels import LABELS
from fairs.errors import Invalid
from fairs.events import services as events
from fairs.hooks import PageSection
from fairs.i18n import N_
from fairs.web import back_path, form_int, form_text, page

from . import base, bookings, counts, layouts, slots


def _grid(booths: list[dict]) -> dict:
    cols = max((b["x"] + b["w"] for b in booths), default=1)
    rows = max((b["y"] + b["h"] for b in booths), default=1)
    return {"cols": cols, "rows": rows}


class EmployerPages(Controller):
    path = "/employer"
    guards = [employer_guard]
    include_in_schema = False

    @get("/")
    async def home(self, request: Request) -> Template:
        principal = require(request)
        employer = await employers.employer_for(principal)
        standing = await ledger.employer_standing(employer["id"])
        booked = await bookings.my_bookings(principal)
        slot_bookings = await slots.my_slot_bookings(principal)
        booked_fairs = {b["fair"] for b in booked} | {s["fair"] for s in slot_bookings}
        fairs = await base.bookable_fairs()
        return page(request, "booths/employer_home.html", employer=employers.public(employer),
                    may_book=employers.may_book(employer["status"]),
                    standing=standing, bookings=booked, slot_bookings=slot_bookings,
                    fairs=fairs, booked_fairs=booked_fairs,
                    staff=await employers.staff(employer["id"]),
                    registered=bool(request.query_params.get("registered")), **LABELS)

    @get("/fairs/{fair_id:int}")
    async def fair(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = require(request)
        employer = await employers.employer_for(principal)
        fair = await base.fair_row(fair_id, principal)
        mine = [b for b in await bookings.my_bookings(principal) if b["fair"] == fair_id]
        opens, closes = base.booking_window(fair)
        ctx = dict(fair=fair, employer=employers.public(employer),
                   may_book=employers.may_book(employer["status"]),
                   mine=mine[0] if mine else None, opens=opens, closes=closes)
        if fair["kind"] == "online":
            listed = await slots.list_slots(fair_id, principal)
            my_slot = next((s for s in await slots.my_slot_bookings(principal)
                            if s["fair"] == fair_id), None)
            return page(request, "booths/employer_slots.html", slots=listed, my_slot=my_slot,
                        **ctx)
        booths = await layouts.list_booths(fair_id, principal)
        return page(request, "booths/floor_plan.html", booths=booths, grid=_grid(booths),
                    counts=await layouts.booth_counts(fair_id), **ctx)

    @post("/fairs/{fair_id:int}/book", status_code=303)
    async def book(self, request: Request, fair_id: FromPath[int], data: FormData) -> Redirect:
        await bookings.book_booth(require(request), fair_id, str(data.get("booth") or "") or None)
        return Redirect(path=f"/employer/fairs/{fair_id}", status_code=303)

    @post("/slots/{slot_id:int}/book", status_code=303)
    async def book_slot(self, request: Request, slot_id: FromPath[int],
                        data: FormData) -> Redirect:
        made = await slots.book_slot(require(request), slot_id, str(data.get("topic") or ""))
        return Redirect(path=f"/employer/fairs/{made['fair']}", status_code=303)

    @post("/bookings/{booking_id:int}/cancel", status_code=303)
    async def cancel(self, request: Request, booking_id: FromPath[int]) -> Redirect:
        await bookings.cancel_booking(require(request), booking_id)
        return Redirect(path="/employer", status_code=303)

    @post("/slot-bookings/{slot_booking_id:int}/cancel", status_code=303)
    async def cancel_slot(self, request: Request, slot_booking_id: FromPath[int]) -> Redirect:
        await slots.cancel_slot_booking(require(request), slot_booking_id)
        return Redirect(path="/employer", status_code=303)


class OrganiserBoothPages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/booths")
    async def fairs(self, request: Request) -> Template:
        principal = require(request)
        rows = await base.organisers_coming_fairs(principal)
        found = await counts.fair_counts([r["id"] for r in rows])
        return page(request, "booths/organiser_fairs.html", fairs=rows, counts=found)

    @get("/fairs/{fair_id:int}/booths")
    async def layout(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = require(request)
        fair = await base.managed_fair(principal, fair_id)
        if fair["kind"] == "online":
            return await self._slots(request, fair)
        booths = await layouts.list_booths(fair_id, principal)
        return page(request, "booths/layout.html", fair=fair, booths=booths, grid=_grid(booths),
                    counts=await layouts.booth_counts(fair_id),
                    bookings=await bookings.fair_bookings(principal, fair_id),
                    sources=await layouts.layout_sources(fair, principal))

    async def _slots(self, request: Request, fair: dict) -> Template:
        principal = require(request)
        return page(request, "booths/slots.html", fair=fair,
                    slots=await slots.list_slots(fair["id"], principal))

    @post("/fairs/{fair_id:int}/booths/generate", status_code=303)
    async def generate(self, request: Request, fair_id: FromPath[int],
                       data: FormData) -> Redirect:
        principal = require(request)
        rows = form_int(data, "rows", 4, lo=1, hi=40) or 4
        cols = form_int(data, "cols", 8, lo=1, hi=40) or 8
        zones = [z.strip().upper() for z in form_text(data, "zones", 200).split(",")
                 if z.strip()] or ["A"]
        if len(zones) > 26 or any(len(z) > 8 for z in zones):
            raise Invalid("zones", N_("at most {n} zones of up to {chars} characters"),
                          code="too_many", params={"n": 26, "chars": 8})
        current = await layouts.list_booths(fair_id, principal)
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
        await layouts.set_layout(principal, fair_id, layout)
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
        await layouts.set_layout(require(request), fair_id, layout)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/fairs/{fair_id:int}/booths/copy", status_code=303)
    async def copy(self, request: Request, fair_id: FromPath[int], data: FormData) -> Redirect:
        await layouts.copy_layout(require(request), fair_id, form_int(data, "from", 0) or 0)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/fairs/{fair_id:int}/slots", status_code=303)
    async def add_slots(self, request: Request, fair_id: FromPath[int],
                        data: FormData) -> Redirect:
        principal = require(request)
        fair = await base.managed_fair(principal, fair_id)
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
            raise Invalid("starts_at", N_("a date and time"), code="invalid_datetime") from exc
        cut = slots.split_session(start_at, end_at, minutes, gap)
        if not cut:
            raise Invalid("minutes", N_("no slot fits between these times"), code="no_slot_fits")
        await slots.add_slots(principal, fair_id, cut)
        return Redirect(path=f"/organiser/fairs/{fair_id}/booths", status_code=303)

    @post("/slots/{slot_id:int}/delete", status_code=303)
    async def delete_slot(self, request: Request, slot_id: FromPath[int]) -> Redirect:
        await slots.delete_slot(require(request), slot_id)
        return Redirect(path=back_path(request, "/organiser/booths"), status_code=303)

    @post("/bookings/{booking_id:int}/cancel", status_code=303)
    async def cancel_booking(self, request: Request, booking_id: FromPath[int]) -> Redirect:
        await bookings.cancel_booking(require(request), booking_id)
        return Redirect(path=back_path(request, "/organiser/booths"), status_code=303)

    @post("/slot-bookings/{slot_booking_id:int}/cancel", status_code=303)
    async def cancel_slot(self, request: Request, slot_booking_id: FromPath[int]) -> Redirect:
        await slots.cancel_slot_booking(require(request), slot_booking_id)
        return Redirect(path=back_path(request, "/organiser/booths"), status_code=303)


class PublicBoothPages(Controller):
    include_in_schema = False

    @get("/fairs/{fair_id:int}/running-order")
    async def running_order(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = request.scope.get("user")
        fair = await base.fair_row(fair_id, principal)
        return page(request, "booths/running_order.html", fair=fair,
                    slots=await slots.list_slots(fair_id, principal), now=base.now())


async def jobs_section(request, fair: dict) -> PageSection | None:
    if fair["status"] == "draft":
        return None
    summary = (await counts.jobs_summaries([fair["id"]])).get(fair["id"], {})
    return PageSection("booths/_fair_section.html", order=30,
                       context={"positions": summary.get("positions", 0),
                                "headcount": summary.get("headcount", 0)})


ROUTES = [EmployerPages, OrganiserBoothPages, PublicBoothPages]
