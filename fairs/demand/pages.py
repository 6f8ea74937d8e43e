"""Pages: the public demand catalogue (/demand) and wage levels (/wages) with their workbooks;
the employer's needs and staff count (/employer/needs) and copying needs into a booking's
positions; the organisers' review queue (/organiser/needs), their survey of one employer
(/organiser/employers/{id}/needs) and the vacancy monitor (/organiser/vacancy)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs import bounds, clock
from fairs.accounts import services as accounts
from fairs.accounts.auth import client_address, employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.employers import services as employers
from fairs.employers.labels import LABELS
from fairs.errors import FairsError, Invalid
from fairs.i18n import N_
from fairs.web import form_date, form_int, form_text, page

from . import catalogue, copying, exports, needs, vacancy, wages, workforce
from .api import min_count
from .labels import NEED_STATUS, WAGE_GROUPINGS

PAGE_SIZE = 20
NEED_TEXTS = ("title", "education", "job_type", "pay_unit", "skills")
CATALOGUE_KEYS = ("industry", "org", "education", "job_type", "skilled", "q")
WAGE_KEYS = ("from", "to", "industry", "education", "by")


def _errors(exc: FairsError) -> dict[str, str]:
    return exc.field_texts() or {"_": exc.text()}


def need_body(form: dict[str, Any]) -> dict:
    """A need's form as the service takes it (numbers and dates parsed; a bad one names its
    field)."""
    body: dict[str, Any] = {k: form_text(form, k, 2000 if k == "skills" else 200)
                            for k in NEED_TEXTS}
    body["headcount"] = form_int(form, "headcount", lo=1, hi=100_000)
    for key in ("salary_min", "salary_max"):
        body[key] = form_int(form, key, 0, lo=0, hi=1_000_000)
    body["skilled"] = bool(form.get("skilled"))
    body["valid_until"] = form_date(form, "valid_until")
    body["org"] = form_text(form, "org", 64) or None
    return body


def _values(data: dict) -> dict[str, str]:
    return {k: str(v)[:2000] for k, v in data.items() if k != "_csrf_token"}


async def _context() -> dict:
    industries = await catalog.industries()
    return {"industries": industries, "industry_names": {i["code"]: i for i in industries},
            "orgs": await accounts.list_orgs(), "statuses": NEED_STATUS, **LABELS}


def _skilled(raw: str | None) -> bool | None:
    return {"1": True, "0": False}.get(raw or "")


# --- public -------------------------------------------------------------------------------------


class PublicPages(Controller):
    include_in_schema = False

    async def _catalogue(self, request: Request, limit: int, offset: int):
        query = request.query_params
        raw = {k: form_text(query, k, 100) for k in CATALOGUE_KEYS}
        flt = await catalogue.check_filter(raw["industry"] or None, raw["org"] or None,
                                           raw["education"] or None, raw["job_type"] or None,
                                           _skilled(raw["skilled"]), raw["q"] or None)
        rows, total = await catalogue.listing(flt, limit, offset)
        return raw, rows, total

    @get("/demand")
    async def demand(self, request: Request) -> Template:
        page_no = form_int(request.query_params, "page", 1, lo=1,
                           hi=catalogue.MAX_OFFSET // PAGE_SIZE + 1) or 1
        errors: dict[str, str] = {}
        raw, rows, total = {k: "" for k in CATALOGUE_KEYS}, [], 0
        try:
            raw, rows, total = await self._catalogue(request, PAGE_SIZE,
                                                     (page_no - 1) * PAGE_SIZE)
        except Invalid as exc:
            errors = _errors(exc)
            raw = {k: form_text(request.query_params, k, 100) for k in CATALOGUE_KEYS
                   if k not in errors}
        query = urlencode({k: v for k, v in raw.items() if v})
        pages = min(max(1, -(-(total or 0) // PAGE_SIZE)),
                    catalogue.MAX_OFFSET // PAGE_SIZE + 1)
        return page(request, "demand/catalogue.html", status_code=422 if errors else 200,
                    needs=rows, total=total or 0, filters=raw, query=query, page_no=page_no,
                    pages=pages, errors=errors, **await _context())

    @get("/demand.xlsx")
    async def demand_xlsx(self, request: Request) -> Response[bytes]:
        await request.app.state.limiter.hit("workbook_ip", client_address(request))
        raw, rows, total = await self._catalogue(request, catalogue.EXPORT_ROWS, 0)
        meta = [("筛选条件", "；".join(f"{k}={v}" for k, v in raw.items() if v) or "全部"),
                ("统计口径", "已发布且在有效期内的用工需求"),
                ("生成时间", clock.now_local().strftime("%Y-%m-%d %H:%M"))]
        body = exports.catalogue_xlsx(rows, total or 0, await catalog.industries(), meta)
        return Response(body, media_type=exports.MEDIA_TYPE, headers=_download("demand"))

    async def _wages(self, request: Request) -> tuple[dict, dict]:
        query = request.query_params
        raw = {k: form_text(query, k, 40) for k in WAGE_KEYS}
        found = await wages.wage_levels(
            bounds.parse_date(raw["from"], "from"), bounds.parse_date(raw["to"], "to"),
            raw["industry"] or None, raw["education"] or None, raw["by"] or "education",
            min_count(request), limiter=request.app.state.limiter,
            address=client_address(request))
        return raw, found

    @get("/wages")
    async def wages_page(self, request: Request) -> Template:
        errors: dict[str, str] = {}
        raw, found = {k: "" for k in WAGE_KEYS}, None
        try:
            raw, found = await self._wages(request)
        except Invalid as exc:
            errors = _errors(exc)
        query = urlencode({k: v for k, v in raw.items() if v})
        return page(request, "demand/wages.html", status_code=422 if errors else 200,
                    found=found, groupings=WAGE_GROUPINGS, filters=raw, query=query,
                    errors=errors, **await _context())

    @get("/wages.xlsx")
    async def wages_xlsx(self, request: Request) -> Response[bytes]:
        await request.app.state.limiter.hit("workbook_ip", client_address(request))
        raw, found = await self._wages(request)
        meta = [("统计期间", f"{found['from'].isoformat()} 至 {found['to'].isoformat()}"),
                ("统计口径", "期内发布的用工需求和期内举办的招聘会岗位的月薪"),
                ("生成时间", clock.now_local().strftime("%Y-%m-%d %H:%M"))]
        for key, name in (("industry", "行业"), ("education", "学历")):
            if raw.get(key):
                meta.append((name, raw[key]))
        body = exports.wages_xlsx(found, await catalog.industries(), meta)
        return Response(body, media_type=exports.MEDIA_TYPE, headers=_download("wages"))


def _download(name: str) -> dict[str, str]:
    day = clock.today_local().isoformat()
    return {"Content-Disposition": f'attachment; filename="{name}-{day}.xlsx"',
            "Cache-Control": "no-cache"}


# --- employers ------------------------------------------------------------------------------


class EmployerPages(Controller):
    path = "/employer"
    guards = [employer_guard]
    include_in_schema = False

    async def _page(self, request: Request, status_code: int = 200,
                    errors: dict | None = None, values: dict | None = None,
                    staff_errors: dict | None = None, staff_values: dict | None = None
                    ) -> Template:
        principal = require(request)
        employer = await employers.employer_for(principal)
        rows, _total = await needs.employer_needs(principal, employer["id"], limit=200)
        return page(request, "demand/employer_needs.html", status_code=status_code,
                    employer=employer, needs=rows,
                    reports=await workforce.staff_reports(principal, employer["id"]),
                    district=await workforce.district_of(employer["id"]),
                    errors=errors or {}, values=values or {},
                    staff_errors=staff_errors or {}, staff_values=staff_values or {},
                    this_month=workforce.this_month(), action="/employer/needs",
                    staff_action="/employer/staff-count", **await _context())

    @get("/needs")
    async def list_needs(self, request: Request) -> Template:
        return await self._page(request)

    @post("/needs", status_code=303)
    async def add(self, request: Request, data: FormData) -> Template | Redirect:
        principal = require(request)
        employer = await employers.employer_for(principal)
        try:
            await needs.create_need(principal, employer["id"], need_body(data))
        except FairsError as exc:
            if exc.status in (401, 403, 404):
                raise
            return await self._page(request, exc.status, _errors(exc), _values(data))
        return Redirect(path="/employer/needs?added=1", status_code=303)

    @post("/staff-count", status_code=303)
    async def staff(self, request: Request, data: FormData) -> Template | Redirect:
        principal = require(request)
        employer = await employers.employer_for(principal)
        try:
            await workforce.report_staff(
                principal, employer["id"], form_int(data, "staff", lo=0, hi=workforce.MAX_STAFF),
                form_text(data, "month", 7) or None, form_text(data, "org", 64) or None)
        except FairsError as exc:
            if exc.status in (401, 403, 404):
                raise
            return await self._page(request, exc.status, staff_errors=_errors(exc),
                                    staff_values=_values(data))
        return Redirect(path="/employer/needs", status_code=303)

    @get("/needs/{need_id:int}/edit")
    async def edit_form(self, request: Request, need_id: FromPath[int]) -> Template:
        found = await needs.managed_need(require(request), need_id)
        return await _edit_page(request, found, found, {}, "/employer/needs")

    @post("/needs/{need_id:int}/edit", status_code=303)
    async def edit(self, request: Request, need_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        return await _edit(request, need_id, data, "/employer/needs")

    @post("/needs/{need_id:int}/withdraw", status_code=303)
    async def withdraw(self, request: Request, need_id: FromPath[int]) -> Redirect:
        await needs.withdraw_need(require(request), need_id)
        return Redirect(path="/employer/needs", status_code=303)

    async def _copy_page(self, request: Request, booking_id: int, slot: bool,
                         status_code: int = 200, errors: dict | None = None) -> Template:
        principal = require(request)
        booking = await copying.held_booking(principal, booking_id, slot)
        return page(request, "demand/copy_needs.html", status_code=status_code,
                    booking=booking, slot=slot, needs=await copying.usable_needs(
                        booking.employer), errors=errors or {}, back=_positions(booking_id, slot),
                    **await _context())

    async def _copy(self, request: Request, booking_id: int, slot: bool,
                    data: dict) -> Template | Redirect:
        chosen = data.get("needs") or []
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)[:copying.MAX_NEEDS + 1]
        try:
            ids = [int(c) for c in chosen if str(c).isdigit() and len(str(c)) < 11]
            if not ids:
                raise Invalid("needs", N_("choose at least one need"), code="required")
            await copying.copy_needs(require(request), booking_id, ids, slot)
        except FairsError as exc:
            if exc.status in (401, 403, 404):
                raise
            return await self._copy_page(request, booking_id, slot, exc.status, _errors(exc))
        return Redirect(path=_positions(booking_id, slot), status_code=303)

    @get("/bookings/{booking_id:int}/needs")
    async def copy_form(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await self._copy_page(request, booking_id, False)

    @post("/bookings/{booking_id:int}/needs", status_code=303)
    async def copy(self, request: Request, booking_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        return await self._copy(request, booking_id, False, data)

    @get("/slot-bookings/{booking_id:int}/needs")
    async def slot_copy_form(self, request: Request, booking_id: FromPath[int]) -> Template:
        return await self._copy_page(request, booking_id, True)

    @post("/slot-bookings/{booking_id:int}/needs", status_code=303)
    async def slot_copy(self, request: Request, booking_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        return await self._copy(request, booking_id, True, data)


def _positions(booking_id: int, slot: bool) -> str:
    kind = "slot-bookings" if slot else "bookings"
    return f"/employer/{kind}/{booking_id}/positions"


async def _edit_page(request: Request, found: dict, values: dict, errors: dict, back: str,
                     status_code: int = 200) -> Template:
    values = {**values, "valid_until": str(values.get("valid_until") or "")}
    return page(request, "demand/need_edit.html", status_code=status_code, need=found,
                values=values, errors=errors, back=back, **await _context())


async def _edit(request: Request, need_id: int, data: dict, back: str) -> Template | Redirect:
    principal = require(request)
    found = await needs.managed_need(principal, need_id)
    try:
        body = need_body(data)
        body.pop("org")
        await needs.update_need(principal, need_id, body)
    except FairsError as exc:
        if exc.status in (401, 403, 404):
            raise
        return await _edit_page(request, found, _values(data), _errors(exc), back, exc.status)
    return Redirect(path=back, status_code=303)


# --- organisers ---------------------------------------------------------------------------------


class OrganiserPages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/needs")
    async def queue(self, request: Request) -> Template:
        principal = require(request)
        query = request.query_params
        status = form_text(query, "status", 16) or "draft"
        if status not in NEED_STATUS:
            status = "draft"
        q = form_text(query, "q", 100)
        rows, total = await needs.review_queue(principal, status, limit=200)
        found = (await employers.list_employers(None, q, limit=20))[0] if q else []
        return page(request, "demand/review.html", needs=rows, total=total, status=status,
                    q=q, employers=[employers.public(e) for e in found], **await _context())

    @post("/needs/{need_id:int}/publish", status_code=303)
    async def publish(self, request: Request, need_id: FromPath[int]) -> Redirect:
        await needs.publish_need(require(request), need_id)
        return Redirect(path="/organiser/needs", status_code=303)

    @post("/needs/{need_id:int}/reject", status_code=303)
    async def reject(self, request: Request, need_id: FromPath[int],
                     data: FormData) -> Redirect:
        await needs.reject_need(require(request), need_id, form_text(data, "reason", 2000))
        return Redirect(path="/organiser/needs", status_code=303)

    async def _employer_page(self, request: Request, employer_id: int, status_code: int = 200,
                             errors: dict | None = None, values: dict | None = None,
                             staff_errors: dict | None = None,
                             staff_values: dict | None = None) -> Template:
        principal = require(request)
        employer = await workforce.check_acts_for(principal, employer_id)
        rows, _total = await needs.employer_needs(principal, employer_id, limit=200)
        return page(request, "demand/employer_needs.html", status_code=status_code,
                    employer=employer, needs=rows,
                    reports=await workforce.staff_reports(principal, employer_id),
                    district=await workforce.district_of(employer_id),
                    errors=errors or {}, values=values or {},
                    staff_errors=staff_errors or {}, staff_values=staff_values or {},
                    this_month=workforce.this_month(),
                    action=f"/organiser/employers/{employer_id}/needs",
                    staff_action=f"/organiser/employers/{employer_id}/staff-count",
                    **await _context())

    @get("/employers/{employer_id:int}/needs")
    async def employer_needs(self, request: Request, employer_id: FromPath[int]) -> Template:
        return await self._employer_page(request, employer_id)

    @post("/employers/{employer_id:int}/needs", status_code=303)
    async def add(self, request: Request, employer_id: FromPath[int],
                  data: FormData) -> Template | Redirect:
        try:
            await needs.create_need(require(request), employer_id, need_body(data))
        except FairsError as exc:
            if exc.status in (401, 403, 404):
                raise
            return await self._employer_page(request, employer_id, exc.status, _errors(exc),
                                             _values(data))
        return Redirect(path=f"/organiser/employers/{employer_id}/needs", status_code=303)

    @post("/employers/{employer_id:int}/staff-count", status_code=303)
    async def staff(self, request: Request, employer_id: FromPath[int],
                    data: FormData) -> Template | Redirect:
        try:
            await workforce.report_staff(
                require(request), employer_id,
                form_int(data, "staff", lo=0, hi=workforce.MAX_STAFF),
                form_text(data, "month", 7) or None, form_text(data, "org", 64) or None)
        except FairsError as exc:
            if exc.status in (401, 403, 404):
                raise
            return await self._employer_page(request, employer_id, exc.status,
                                             staff_errors=_errors(exc),
                                             staff_values=_values(data))
        return Redirect(path=f"/organiser/employers/{employer_id}/needs", status_code=303)

    @get("/needs/{need_id:int}/edit")
    async def edit_form(self, request: Request, need_id: FromPath[int]) -> Template:
        found = await needs.managed_need(require(request), need_id)
        return await _edit_page(request, found, found, {},
                                f"/organiser/employers/{found['employer']}/needs")

    @post("/needs/{need_id:int}/edit", status_code=303)
    async def edit(self, request: Request, need_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        found = await needs.managed_need(require(request), need_id)
        return await _edit(request, need_id, data,
                           f"/organiser/employers/{found['employer']}/needs")

    async def _vacancy(self, request: Request) -> tuple[dict, dict]:
        query = request.query_params
        raw = {k: form_text(query, k, 64) for k in ("from", "to", "org", "industry")}
        found = await vacancy.report(require(request), raw["from"] or None, raw["to"] or None,
                                     raw["org"] or None, raw["industry"] or None)
        return raw, found

    @get("/vacancy")
    async def vacancy_page(self, request: Request) -> Template:
        principal = require(request)
        errors: dict[str, str] = {}
        raw, found = {}, None
        try:
            raw, found = await self._vacancy(request)
        except Invalid as exc:
            errors = _errors(exc)
        orgs = await accounts.list_orgs(None if principal.is_admin else principal.org_path)
        query = urlencode({k: v for k, v in raw.items() if v})
        return page(request, "demand/vacancy.html", status_code=422 if errors else 200,
                    found=found, filters=raw, errors=errors, query=query, scope_orgs=orgs,
                    org_names={o["code"]: o for o in await accounts.list_orgs()},
                    **{k: v for k, v in (await _context()).items() if k != "orgs"})

    @get("/vacancy.xlsx")
    async def vacancy_xlsx(self, request: Request) -> Response[bytes]:
        raw, found = await self._vacancy(request)
        orgs = {o["code"]: o["name_zh"] for o in await accounts.list_orgs()}
        meta = [("统计范围", found["org"]["name_zh"]),
                ("月份", f"{found['months'][0]} 至 {found['months'][-1]}"),
                ("生成时间", clock.now_local().strftime("%Y-%m-%d %H:%M"))]
        body = exports.vacancy_xlsx(found, await catalog.industries(), orgs, meta)
        return Response(body, media_type=exports.MEDIA_TYPE,
                        headers={**_download("vacancy"), "Cache-Control": "private, no-store"})


ROUTES = [PublicPages, EmployerPages, OrganiserPages]
