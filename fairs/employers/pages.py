"""Pages: employer self-registration and the organiser's approvals; the employer's positions
editor and the public "jobs at this fair"; the organiser's no-show ledger and booking rules."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs import hooks
from fairs.accounts import services as accounts
from fairs.accounts.auth import client_address, employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import FairsError, TooManyRequests
from fairs.events import services as events
from fairs.web import back_path, form_int, form_text, page

from . import ledger, positions, services
from .labels import LABELS

FIELDS = ("name", "uscc", "industry", "contact_name", "contact_phone", "email", "username")


class RegistrationPages(Controller):
    include_in_schema = False

    @get("/employers/register")
    async def form(self, request: Request) -> Template:
        return page(request, "employers/register.html", industries=await catalog.industries(),
                    values={}, errors={})

    @post("/employers/register", status_code=303)
    async def register(self, request: Request, data: FormData) -> Template | Redirect:
        values = {k: str(data.get(k, "") or "") for k in (*FIELDS, "password")}
        try:
            made = await services.register(**values, address=client_address(request),
                                           limiter=request.app.state.limiter)
        except TooManyRequests:
            raise  # the problem answer, with its Retry-After
        except FairsError as exc:
            errors = {e.field: e.message for e in exc.errors} or {"": exc.detail}
            values.pop("password")
            return page(request, "employers/register.html", status_code=exc.status,
                        industries=await catalog.industries(), values=values, errors=errors)
        # the first login: the new staff account is signed in at once
        principal = await accounts.principal_by_id(made["user"])
        request.clear_session()
        request.set_session({"uid": principal.id})
        return Redirect(path="/employer?registered=1", status_code=303)


class ApprovalPages(Controller):
    path = "/organiser/employers"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/")
    async def approvals(self, request: Request) -> Template:
        status = request.query_params.get("status") or "pending"
        q = form_text(request.query_params, "q") or None
        rows, total = await services.list_employers(status if status != "all" else None, q,
                                                    limit=500)
        industries = {i["code"]: i for i in await catalog.industries()}
        return page(request, "employers/approvals.html",
                    employers=[services.public(r) for r in rows], total=total, status=status,
                    q=q or "", counts=await services.status_counts(), industries=industries)

    @get("/{employer_id:int}")
    async def employer_page(self, request: Request, employer_id: FromPath[int]) -> Template:
        """An employer's page in the back office: the register's entry (the city's, any
        organiser reads it), its logins, and what other slices add (fairs.hooks
        .employer_sections: the services and officers of the organisers serving it)."""
        row = await services.get_employer(employer_id)
        industries = {i["code"]: i for i in await catalog.industries()}
        sections = await hooks.sections(hooks.employer_sections, request, row)
        return page(request, "employers/employer.html", employer=services.public(row),
                    industries=industries, staff=await services.staff(employer_id),
                    sections=sections)

    @post("/{employer_id:int}/approve", status_code=303)
    async def approve(self, request: Request, employer_id: FromPath[int]) -> Redirect:
        await services.decide(require(request), employer_id, True)
        return Redirect(path="/organiser/employers", status_code=303)

    @post("/{employer_id:int}/reject", status_code=303)
    async def reject(self, request: Request, employer_id: FromPath[int],
                     data: FormData) -> Redirect:
        await services.decide(require(request), employer_id, False,
                              str(data.get("reason", "") or ""))
        return Redirect(path="/organiser/employers", status_code=303)


POSITION_TEXTS = ("title", "education", "experience", "job_type", "pay_unit", "major",
                  "description")


def _position_body(values: dict) -> dict:
    """A position's form as the service takes it (numbers parsed; a bad one names its field)."""
    body = {k: values.get(k, "") for k in POSITION_TEXTS}
    for k in ("headcount", "salary_min", "salary_max"):
        body[k] = form_int(values, k, 0 if k != "headcount" else None)
    return body


def _positions_path(position: dict) -> str:
    if position.get("slot_booking"):
        return f"/employer/slot-bookings/{position['slot_booking']}/positions"
    return f"/employer/bookings/{position['booking']}/positions"


class PositionPages(Controller):
    """The employer's positions on a booking or a guest-slot booking."""

    path = "/employer"
    guards = [employer_guard]
    include_in_schema = False

    async def _positions_page(self, request: Request, booking_id: int, slot: bool,
                              errors: dict | None = None, values: dict | None = None,
                              status_code: int = 200) -> Template:
        booking, listed = await positions.positions_of_booking(require(request), booking_id,
                                                               slot)
        sections = await hooks.sections(hooks.employer_positions_sections, request, booking,
                                        listed)
        return page(request, "employers/positions.html", status_code=status_code, booking=booking,
                    slot=slot, positions=listed, errors=errors or {}, values=values or {},
                    sections=sections, **LABELS)

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
            await positions.add_position(require(request), booking_id, _position_body(values),
                                         slot=slot)
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

    @get("/positions/{position_id:int}/edit")
    async def edit_form(self, request: Request, position_id: FromPath[int]) -> Template:
        found = await positions.own_position(require(request), position_id)
        return await self._edit_page(request, found, found, {})

    async def _edit_page(self, request: Request, found: dict, values: dict, errors: dict,
                         status_code: int = 200) -> Template:
        return page(request, "employers/position_edit.html", status_code=status_code,
                    position=found, values=values, errors=errors, back=_positions_path(found),
                    **LABELS)

    @post("/positions/{position_id:int}/edit", status_code=303)
    async def edit(self, request: Request, position_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        principal = require(request)
        found = await positions.own_position(principal, position_id)
        values = {k: str(v) for k, v in data.items() if k != "_csrf_token"}
        try:
            await positions.update_position(principal, position_id, _position_body(values))
        except FairsError as exc:
            errors = {e.field: e.message for e in exc.errors} or {"": exc.detail}
            return await self._edit_page(request, found, values, errors, status_code=exc.status)
        return Redirect(path=_positions_path(found), status_code=303)

    @post("/positions/{position_id:int}/delete", status_code=303)
    async def delete_position(self, request: Request, position_id: FromPath[int]) -> Redirect:
        await positions.delete_position(require(request), position_id)
        return Redirect(path=back_path(request, "/employer"), status_code=303)


class LedgerPages(Controller):
    """The no-show ledger and the city-wide booking rules."""

    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/no-shows")
    async def ledger(self, request: Request) -> Template:
        principal = require(request)
        rows = await ledger.list_no_shows(
            principal, form_int(request.query_params, "employer", lo=1, hi=2**31 - 1))
        return page(request, "employers/ledger.html", records=rows,
                    rules=await ledger.get_rules())

    @post("/no-shows/{no_show_id:int}/annul", status_code=303)
    async def annul(self, request: Request, no_show_id: FromPath[int],
                    data: FormData) -> Redirect:
        await ledger.annul_no_show(require(request), no_show_id, str(data.get("note") or ""))
        return Redirect(path="/organiser/no-shows", status_code=303)

    @post("/no-shows/{no_show_id:int}/explain", status_code=303)
    async def explain(self, request: Request, no_show_id: FromPath[int],
                      data: FormData) -> Redirect:
        await ledger.explain_no_show(require(request), no_show_id,
                                     str(data.get("note") or ""))
        return Redirect(path="/organiser/no-shows", status_code=303)

    @post("/booking-rules", status_code=303)
    async def rules(self, request: Request, data: FormData) -> Redirect:
        changes = {k: form_int(data, k) for k in ledger.DEFAULT_RULES}
        await ledger.set_rules(require(request), changes)
        return Redirect(path="/organiser/no-shows", status_code=303)


class JobsPages(Controller):
    include_in_schema = False

    @get("/fairs/{fair_id:int}/jobs")
    async def jobs(self, request: Request, fair_id: FromPath[int]) -> Template:
        principal = request.scope.get("user")
        fair = await events.get_fair(fair_id, principal, decorate=False)
        q = form_text(request.query_params, "q") or None
        job_type = request.query_params.get("job_type") or None
        if job_type not in positions.JOB_TYPES:
            job_type = None
        rows, total = await positions.fair_positions(fair_id, principal, q, job_type, limit=500)
        return page(request, "employers/jobs.html", fair=fair, positions=rows, total=total,
                    q=q or "", job_type=job_type or "", **LABELS)


ROUTES = [RegistrationPages, ApprovalPages, PositionPages, LedgerPages, JobsPages]
