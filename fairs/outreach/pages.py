"""Organiser pages: recording services on an employer's page (the section is fairs.outreach
.hooks.employer_section), editing and deleting a record, the organisation's ledger (服务台账)
with its workbook and CSV, an officer's employers (我的企业) and the employers nobody contacted
this quarter."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs import clock, i18n, labels
from fairs import measures as read_model
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import FairsError
from fairs.measures import MEASURE_NAMES
from fairs.reports import exports
from fairs.web import back_path, form_date, form_int, form_text, page

from . import officers, scope, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 10_000
PAGE_SIZE = 100


def _many(form: dict[str, Any], key: str) -> list[str]:
    value = form.get(key) or []
    if not isinstance(value, list):
        value = [value]
    return [str(v).strip()[:40] for v in value if str(v).strip()][:50]


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    """The form as typed (for showing it again), bounded."""
    return {"kind": form_text(data, "kind", 40), "on": str(data.get("on") or "")[:40],
            "follow_up_on": str(data.get("follow_up_on") or "")[:40],
            "topics": _many(data, "topics"), "staff_names": str(data.get("staff_names") or ""),
            "notes": str(data.get("notes") or "")}


def _form_body(data: dict[str, Any]) -> dict[str, Any]:
    """The form as the service takes it; a malformed day is an Invalid naming its field."""
    body = _form_values(data)
    body["on"] = form_date(data, "on")
    body["follow_up_on"] = form_date(data, "follow_up_on")
    return body


def _errors(exc: FairsError) -> dict[str, str]:
    return {e.field.split("[", 1)[0]: e.message for e in exc.errors} or {"": exc.detail}


def _form_page(request: Request, *, employer: dict, values: dict, errors: dict, action: str,
               service: dict | None = None, status_code: int = 200) -> Template:
    return page(request, "outreach/service_form.html", status_code=status_code,
                employer=employer, values=values, errors=errors, action=action,
                service=service, kinds=services.KINDS, topics=services.TOPICS,
                today=clock.today_local(), notes_max=services.NOTES_MAX)


def _employer_path(employer_id: int, anchor: str = "services") -> str:
    return f"/organiser/employers/{employer_id}#{anchor}"


def _ledger_filter(q: dict[str, Any]) -> services.LedgerFilter:
    kind = form_text(q, "kind", 40) or None
    if kind:
        services.check_kind(kind)
    month = form_text(q, "month", 40) or None
    services.month_bounds(month)
    return services.LedgerFilter(kind=kind, month=month,
                                 staff=form_int(q, "staff", lo=1, hi=2**31 - 1),
                                 employer=form_int(q, "employer", lo=1, hi=2**31 - 1))


def _zh(table: str, code: str) -> str:
    msgid = labels.TABLES[table].get(code)
    return i18n.render(msgid, None, "zh_CN") if msgid else code


HEADINGS = ["服务日期", "企业", "服务方式", "服务内容", "服务人员", "记录人", "所属组织", "备注",
            "跟进日期"]


def _export_rows(items: list[dict]) -> list[list[Any]]:
    return [[s["on"].isoformat(), s["employer_name"], _zh("visit_kind", s["kind"]),
             "、".join(_zh("service_topic", t) for t in s["topics"]), s["staff_names"],
             s["staff"]["name"], s["org_name_zh"] or s["org"], s["notes"],
             s["follow_up_on"].isoformat() if s["follow_up_on"] else ""] for s in items]


class ServicePages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @post("/employers/{employer_id:int}/services", status_code=303)
    async def record(self, request: Request, employer_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        principal = require(request)
        employer = await scope.require_cover(principal, employer_id)
        try:
            await services.record_service(principal, employer_id, _form_body(data))
        except FairsError as exc:
            if exc.status not in (400, 422):
                raise
            return _form_page(request, employer=employer, values=_form_values(data),
                              errors=_errors(exc), status_code=exc.status,
                              action=f"/organiser/employers/{employer_id}/services")
        return Redirect(path=_employer_path(employer_id), status_code=303)

    @get("/services/{service_id:int}/edit")
    async def edit_form(self, request: Request, service_id: FromPath[int]) -> Template:
        principal = require(request)
        service = await services.get_service(principal, service_id)
        employer = await scope.require_cover(principal, service["employer"])
        values = {**service, "on": service["on"].isoformat(),
                  "follow_up_on": service["follow_up_on"].isoformat()
                  if service["follow_up_on"] else ""}
        return _form_page(request, employer=employer, values=values, errors={},
                          service=service, action=f"/organiser/services/{service_id}/edit")

    @post("/services/{service_id:int}/edit", status_code=303)
    async def edit(self, request: Request, service_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        principal = require(request)
        service = await services.get_service(principal, service_id)
        try:
            await services.update_service(principal, service_id, _form_body(data))
        except FairsError as exc:
            if exc.status not in (400, 422):
                raise
            employer = await scope.require_cover(principal, service["employer"])
            return _form_page(request, employer=employer, values=_form_values(data),
                              errors=_errors(exc), service=service, status_code=exc.status,
                              action=f"/organiser/services/{service_id}/edit")
        return Redirect(path=_employer_path(service["employer"]), status_code=303)

    @post("/services/{service_id:int}/delete", status_code=303)
    async def delete(self, request: Request, service_id: FromPath[int]) -> Redirect:
        gone = await services.delete_service(require(request), service_id)
        return Redirect(path=back_path(request, _employer_path(gone["employer"])),
                        status_code=303)

    @post("/employers/{employer_id:int}/officers", status_code=303)
    async def assign(self, request: Request, employer_id: FromPath[int],
                     data: FormData) -> Redirect:
        user = form_int(data, "user", lo=1, hi=2**31 - 1)
        await officers.assign(require(request), employer_id, user or 0)
        return Redirect(path=_employer_path(employer_id, "officers"), status_code=303)

    @post("/employers/{employer_id:int}/officers/{user_id:int}/delete", status_code=303)
    async def unassign(self, request: Request, employer_id: FromPath[int],
                       user_id: FromPath[int]) -> Redirect:
        await officers.unassign(require(request), employer_id, user_id)
        return Redirect(path=_employer_path(employer_id, "officers"), status_code=303)

    # --- the ledger -------------------------------------------------------------------------

    @get("/services")
    async def ledger(self, request: Request) -> Template:
        principal = require(request)
        q = request.query_params
        flt = _ledger_filter(q)
        page_no = form_int(q, "page", 1, lo=1, hi=100_000) or 1
        items, total = await services.ledger(principal, flt, PAGE_SIZE,
                                             (page_no - 1) * PAGE_SIZE)
        return page(request, "outreach/ledger.html", items=items, total=total, flt=flt,
                    page_no=page_no, pages=max(1, -(-total // PAGE_SIZE)),
                    staff=await services.ledger_staff(principal), kinds=services.KINDS,
                    summary=await services.visits_summary(principal, flt.month),
                    visit_kinds=read_model.VISIT_KINDS, measure_names=MEASURE_NAMES,
                    query=urlencode([(k, v) for k, v in q.multi_items() if k != "page"]))

    async def _export(self, request: Request) -> tuple[list[list[Any]], list[tuple[str, str]]]:
        principal = require(request)
        flt = _ledger_filter(request.query_params)
        items, total = await services.ledger(principal, flt, EXPORT_LIMIT)
        meta = [("范围", "全部" if principal.is_admin else principal.org_code or ""),
                ("月份", flt.month or "不限"),
                ("服务方式", _zh("visit_kind", flt.kind) if flt.kind else "不限"),
                ("条数", f"{len(items)} / {total}"),
                ("生成时间", clock.now_local().strftime("%Y-%m-%d %H:%M"))]
        return _export_rows(items), meta

    @get("/services.csv")
    async def ledger_csv(self, request: Request) -> Response[bytes]:
        rows, meta = await self._export(request)
        return Response(exports.table_csv(HEADINGS, rows, meta),
                        media_type="text/csv; charset=utf-8", headers=_download("csv"))

    @get("/services.xlsx")
    async def ledger_xlsx(self, request: Request) -> Response[bytes]:
        rows, meta = await self._export(request)
        body = exports.table_xlsx("企业服务台账", "服务台账", HEADINGS, rows, meta,
                                  widths=[12, 30, 10, 24, 14, 12, 16, 40, 12])
        return Response(body, media_type=XLSX, headers=_download("xlsx"))

    # --- officers and the quarter -----------------------------------------------------------

    @get("/officers/me")
    async def mine(self, request: Request) -> Template:
        rows = await officers.my_employers(require(request))
        return page(request, "outreach/mine.html", employers=rows,
                    industries={i["code"]: i for i in await catalog.industries()},
                    today=clock.today_local())

    @get("/outreach/uncontacted")
    async def uncontacted(self, request: Request) -> Template:
        q = request.query_params
        page_no = form_int(q, "page", 1, lo=1, hi=100_000) or 1
        rows, total, quarter = await officers.uncontacted(require(request), PAGE_SIZE,
                                                          (page_no - 1) * PAGE_SIZE)
        return page(request, "outreach/uncontacted.html", employers=rows, total=total,
                    quarter=quarter, page_no=page_no, pages=max(1, -(-total // PAGE_SIZE)),
                    industries={i["code"]: i for i in await catalog.industries()})


def _download(ext: str) -> dict[str, str]:
    stamp = clock.today_local().isoformat()
    return {"Content-Disposition": f'attachment; filename="services-{stamp}.{ext}"',
            "Cache-Control": "private, no-store"}


ROUTES = [ServicePages]
