"""Pages: employer self-registration, and the organiser's approvals."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs.accounts import services as accounts
from fairs.accounts.auth import client_address, organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import FairsError, TooManyRequests
from fairs.web import form_text, page

from . import services

FIELDS = ("name", "uscc", "industry", "contact_name", "contact_phone", "username")


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

ROUTES = [RegistrationPages, ApprovalPages]
