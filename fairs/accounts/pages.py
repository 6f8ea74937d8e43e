"""Login and logout pages; the organisation tree's page (/organiser/orgs)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect, Template

from fairs import i18n
from fairs.errors import FairsError, NotAuthenticated
from fairs.i18n import N_
from fairs.web import form_text, page

from . import orgs, services
from .auth import client_address, end_session, organiser_guard, renew_session, require


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: an open redirect would turn our login page into a phishing tool."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def home_for(principal: services.Principal) -> str:
    return {"employer": "/employer", "scanner": "/scan"}.get(principal.role, "/organiser")


FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


class LoginPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, request: Request) -> Template:
        target = safe_next(request.query_params.get("next"), "")
        return page(request, "accounts/login.html", next=target)

    @post("/login", status_code=303)
    async def login(self, request: Request, data: FormData) -> Template | Redirect:
        username = str(data.get("username", ""))
        password = str(data.get("password", ""))
        target = safe_next(str(data.get("next", "")), "")
        try:
            principal = await services.login(username, password, client_address(request),
                                             request.app.state.limiter)
        except NotAuthenticated:
            return page(request, "accounts/login.html", status_code=401, next=target,
                        username=username, failed=True)
        renew_session(request, {"uid": principal.id})
        return Redirect(path=target or home_for(principal), status_code=303)

    @post("/logout", status_code=303)
    async def logout(self, request: Request) -> Redirect:
        end_session(request)
        return Redirect(path="/", status_code=303)


DONE = {
    "created": N_("The organisation is added."),
    "updated": N_("The organisation is renamed."),
    "moved": N_("The organisation is moved, with everything below it."),
    "deactivated": N_("The organisation is deactivated."),
    "activated": N_("The organisation is active again."),
}
KIND_NAMES = {"city": N_("City level"), "district": N_("District or county"),
              "area": N_("Functional area"), "street": N_("Street or town")}
Text = Annotated[str | None, QueryParameter(max_length=64)]


class OrgPages(Controller):
    """The tree, with forms to add, rename, move, deactivate and reactivate organisations: an
    admin everywhere, an organiser below its own organisation (fairs.accounts.orgs)."""

    path = "/organiser/orgs"
    guards = [organiser_guard]
    include_in_schema = False

    async def _tree(self, request: Request, status_code: int = 200, *, error: FairsError |
                    None = None, about: str = "", form: dict | None = None,
                    done: str | None = None, code: str | None = None) -> Template:
        principal = require(request)
        rows = await services.list_orgs(None if principal.is_admin else principal.org_path)
        top = min((r["path"].count("/") for r in rows), default=2)
        tree = [{**r, "depth": r["path"].count("/") - top,
                 "manage": orgs.may_manage(principal, r["path"], below_only=True)}
                for r in rows]
        parents = [r for r in tree if r["active"]
                   and orgs.may_manage(principal, r["path"], below_only=False)]
        errors, general = {}, []
        if error is not None:
            for e in error.errors:
                errors.setdefault(e.field, []).append(i18n.gettext(e.message))
            general = [i18n.gettext(error.detail)] if error.detail and (
                error.status == 409 or not error.errors) else []
        return page(request, "accounts/orgs.html", status_code=status_code, tree=tree,
                    parents=parents, kinds=orgs.ORG_KINDS, kind_names=KIND_NAMES, errors=errors,
                    general=general, about=about, form=form or {},
                    done=DONE.get(done or ""), done_code=code if done in DONE else None)

    async def _change(self, request: Request, code: str, done: str, data: dict[str, Any],
                      changes) -> Template | Redirect:
        try:
            await orgs.update_org(require(request), code, **changes(data))
        except FairsError as exc:
            if exc.status in (401, 403, 404):
                raise
            return await self._tree(request, 409 if exc.status == 409 else 422, error=exc,
                                    about=code)
        return Redirect(path=f"/organiser/orgs?done={done}&code={code}", status_code=303)

    @get("/")
    async def tree(self, request: Request, done: Text = None, code: Text = None) -> Template:
        return await self._tree(request, done=done, code=code)

    @post("/", status_code=303)
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        form = {k: str(data.get(k, "") or "").strip()[:200]
                for k in ("code", "name_zh", "name_en", "kind", "parent")}
        try:
            made = await orgs.create_org(
                form_text(data, "code", 64), form_text(data, "name_zh", 100),
                form_text(data, "name_en", 100), form_text(data, "kind", 16) or "street",
                form_text(data, "parent", 64) or require(request).org_code,
                principal=require(request))
        except FairsError as exc:
            if exc.status in (401, 403):
                raise
            return await self._tree(request, 409 if exc.status == 409 else 422, error=exc,
                                    about="", form=form)
        return Redirect(path=f"/organiser/orgs?done=created&code={made['code']}",
                        status_code=303)

    @post("/{code:str}", status_code=303)
    async def rename(self, request: Request, code: FromPath[str],
                     data: FormData) -> Template | Redirect:
        return await self._change(request, code, "updated", data, lambda d: {
            "name_zh": form_text(d, "name_zh", 100), "name_en": form_text(d, "name_en", 100),
            "kind": form_text(d, "kind", 16)})

    @post("/{code:str}/move", status_code=303)
    async def move(self, request: Request, code: FromPath[str],
                   data: FormData) -> Template | Redirect:
        return await self._change(request, code, "moved", data,
                                  lambda d: {"parent": form_text(d, "parent", 64)})

    @post("/{code:str}/deactivate", status_code=303)
    async def deactivate(self, request: Request, code: FromPath[str],
                         data: FormData) -> Template | Redirect:
        return await self._change(request, code, "deactivated", data, lambda d: {
            "active": False, "deactivate_users": bool(d.get("deactivate_users"))})

    @post("/{code:str}/activate", status_code=303)
    async def activate(self, request: Request, code: FromPath[str],
                       data: FormData) -> Template | Redirect:
        return await self._change(request, code, "activated", data, lambda d: {"active": True})


ROUTES = [LoginPages, OrgPages]
