"""Pages: the organisers' call list (回访台账, /organiser/followups), its graduates' tab
(高校毕业生实名制跟踪, /organiser/followups/graduates), one task with its outcome form
(/organiser/followups/{id}; the number shown in full only after a POST that is audited), and an
employer's intentions with their follow-up, where it confirms a hire (/employer/hires)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs import labels
from fairs.accounts.auth import employer_guard, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import Conflict, Invalid
from fairs.i18n import N_
from fairs.web import form_date, form_int, form_text, page

from . import services

PAGE_SIZE = 50
OUTCOME_NAMES = labels.FOLLOWUP_OUTCOME
STATUS_NAMES = labels.FOLLOWUP_STATUS
STEP_NAMES = {1: N_("7-day call"), 2: N_("30-day call"), 3: N_("90-day call")}
NOTICES = {"saved": N_("The outcome was recorded."), "hired": N_("The hire was confirmed.")}
NAMES = {"outcome_names": OUTCOME_NAMES, "status_names": STATUS_NAMES, "step_names": STEP_NAMES,
         "outcomes": services.OUTCOMES}


def _notice(request: Request) -> str | None:
    return NOTICES.get(request.query_params.get("notice", ""))


class FollowupPages(Controller):
    path = "/organiser/followups"
    guards = [organiser_guard]
    include_in_schema = False

    async def _list(self, request: Request, graduates: bool) -> Template:
        principal = require(request)
        query = dict(request.query_params)
        errors: dict[str, str] = {}
        found = {"items": [], "total": 0,
                 "counts": dict.fromkeys(services.STATUSES, 0) | {"overdue": 0}}
        raw_status = form_text(query, "status", 16) or "open"
        page_no = 1
        try:
            status = None if raw_status == "all" else raw_status
            audience = "graduates" if graduates else (form_text(query, "audience", 32) or None)
            flt = services.FollowupFilter(
                due_before=form_date(query, "due_before"), status=status,
                fair=form_int(query, "fair", None, lo=1), audience=audience)
            page_no = form_int(query, "page", 1, lo=1, hi=100_000) or 1
            found = await services.listing(principal, flt, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        except Invalid as exc:
            errors = exc.field_texts() or {"_": exc.detail}
        base = "/organiser/followups/graduates" if graduates else "/organiser/followups"
        params = {k: v for k, v in query.items()
                  if k in ("status", "fair", "audience", "due_before", "lang") and v}
        pages = max(1, -(-found["total"] // PAGE_SIZE))
        audiences = await catalog.audiences()

        def page_url(n: int) -> str:
            return base + "?" + urlencode({**params, "page": n})

        return page(request, "followup/list.html", graduates=graduates, base=base,
                    items=found["items"], total=found["total"], counts=found["counts"],
                    errors=errors, params=params, status=raw_status,
                    fairs=await services.fairs_with_followups(principal),
                    audiences=audiences, audience_names={a["code"]: a for a in audiences},
                    notice=_notice(request),
                    page_no=page_no, pages=pages,
                    prev_url=page_url(page_no - 1) if page_no > 1 else None,
                    next_url=page_url(page_no + 1) if page_no < pages else None, **NAMES)

    @get("/")
    async def calls(self, request: Request) -> Template:
        return await self._list(request, graduates=False)

    @get("/graduates")
    async def graduates(self, request: Request) -> Template:
        return await self._list(request, graduates=True)

    async def _task(self, request: Request, task_id: int, *, contact: dict | None = None,
                    errors: dict | None = None, values: dict | None = None,
                    status_code: int = 200) -> Template:
        task = await services.get_task(require(request), task_id)
        values = values or {"outcome": task["outcome"] or "",
                            "started_on": task["started_on"].isoformat()
                            if task["started_on"] else "", "notes": task["notes"]}
        return page(request, "followup/task.html", status_code=status_code, task=task,
                    contact=contact, errors=errors or {}, values=values,
                    back=request.query_params.get("back") or "", **NAMES)

    @get("/{task_id:int}")
    async def task(self, request: Request, task_id: FromPath[int]) -> Template:
        return await self._task(request, task_id)

    @post("/{task_id:int}/phone", status_code=200)
    async def phone(self, request: Request, task_id: FromPath[int]) -> Template:
        contact = await services.reveal(require(request), task_id)
        return await self._task(request, task_id, contact=contact)

    @post("/{task_id:int}", status_code=303)
    async def record(self, request: Request, task_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        values = {k: str(data.get(k, "") or "") for k in ("outcome", "started_on", "notes")}
        await services.get_task(require(request), task_id)  # whose it is, before the form
        try:
            started_on = form_date(data, "started_on")
            outcome = form_text(data, "outcome", 16)
            if not outcome:
                raise Invalid("outcome", N_("choose the outcome of the call"), code="required")
            await services.record_outcome(require(request), task_id, outcome,
                                          started_on if outcome == "hired" else None,
                                          form_text(data, "notes", services.NOTES_MAX))
        except (Invalid, Conflict) as exc:
            return await self._task(request, task_id, errors=exc.field_texts() or {
                "_": exc.detail}, values=values, status_code=exc.status)
        return Redirect(path=f"/organiser/followups/{task_id}?notice=saved", status_code=303)


class EmployerHirePages(Controller):
    guards = [employer_guard]
    include_in_schema = False

    async def _page(self, request: Request, *, errors: dict | None = None,
                    status_code: int = 200, failed: int | None = None) -> Template:
        page_no = form_int(dict(request.query_params), "page", 1, lo=1, hi=100_000) or 1
        found = await services.employer_intentions(require(request), PAGE_SIZE,
                                                   (page_no - 1) * PAGE_SIZE)
        pages = max(1, -(-found["total"] // PAGE_SIZE))
        return page(request, "followup/hires.html", status_code=status_code,
                    items=found["items"], total=found["total"], errors=errors or {},
                    failed=failed, notice=_notice(request), page_no=page_no, pages=pages,
                    **NAMES)

    @get("/employer/hires")
    async def hires(self, request: Request) -> Template:
        return await self._page(request)

    @post("/employer/intentions/{intention_id:int}/hire", status_code=303)
    async def hire(self, request: Request, intention_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        try:
            started_on = form_date(data, "started_on")
            await services.confirm_hire(require(request), intention_id, started_on,
                                        form_text(data, "notes", services.NOTES_MAX))
        except (Invalid, Conflict) as exc:
            return await self._page(request, errors=exc.field_texts() or {"_": exc.detail},
                                    status_code=exc.status, failed=intention_id)
        return Redirect(path="/employer/hires?notice=hired", status_code=303)


ROUTES = [FollowupPages, EmployerHirePages]
