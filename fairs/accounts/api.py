"""/api/v1/auth/...: login, logout, me, API tokens; /api/v1/orgs."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs import hooks
from fairs.errors import Invalid, NotAuthenticated
from fairs.i18n import N_

from . import orgs, services
from .auth import client_address, end_session, logged_in, organiser_guard, renew_session, require
from .schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    OrgIn,
    OrgOut,
    OrgPatch,
    TokenIn,
    TokenOut,
    UserOut,
)


async def me_payload(principal: services.Principal) -> MeOut:
    return MeOut(
        id=principal.id,
        username=principal.username,
        roles=principal.roles,
        display_name=principal.display_name,
        org=principal.org_code,
        employer=await hooks.employer_of_user.first(principal),
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["accounts"]

    @post("/login", status_code=HTTP_200_OK, summary="Log in; sets the session cookie")
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> LoginOut:
        principal = await services.login(data.username, data.password, client_address(request),
                                         request.app.state.limiter)
        renew_session(request, {"uid": principal.id})
        return LoginOut(user=UserOut(id=principal.id, username=principal.username,
                                     roles=principal.roles))

    @post("/logout", status_code=HTTP_204_NO_CONTENT, guards=[logged_in])
    async def logout(self, request: Request) -> None:
        end_session(request)

    @get("/me", guards=[logged_in])
    async def me(self, request: Request) -> MeOut:
        return await me_payload(require(request))

    @post("/tokens", status_code=HTTP_201_CREATED,
          summary="Make an API token (shown once) from a session or a username and password")
    async def create_token(self, request: Request, data: JSONBody[TokenIn]) -> TokenOut:
        principal = request.scope.get("user")
        if data.username is not None or data.password is not None:
            if not data.username or not data.password:
                raise Invalid("password", N_("give both username and password"), code="required")
            principal = await services.login(data.username, data.password,
                                             client_address(request), request.app.state.limiter)
        if principal is None:
            raise NotAuthenticated()
        made = await services.create_token(principal, data.name)
        return TokenOut(**made)

    @get("/tokens", guards=[logged_in])
    async def list_tokens(self, request: Request) -> dict:
        rows = await services.list_tokens(require(request))
        items = [
            {"id": r["id"], "name": r["name"], "prefix": r["prefix"],
             "created_at": r["created_at"].isoformat(), "revoked": r["revoked_at"] is not None}
            for r in rows
        ]
        return {"items": items, "total": len(items)}

    @delete("/tokens/{token_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[logged_in])
    async def revoke_token(self, request: Request, token_id: FromPath[int]) -> None:
        await services.revoke_token(require(request), token_id)


def org_out(row: dict) -> OrgOut:
    return OrgOut(id=row["id"], code=row["code"], name_zh=row["name_zh"],
                  name_en=row["name_en"] or "", kind=row["kind"], parent=row["parent"],
                  active=bool(row["active"]))


class OrgController(Controller):
    path = "/api/v1/orgs"
    tags = ["accounts"]

    @get("/")
    async def list_orgs(self) -> dict:
        items = [org_out(r) for r in await services.list_orgs()]
        return {"items": items, "total": len(items)}

    @post("/", status_code=HTTP_201_CREATED, guards=[organiser_guard],
          summary="Add an organisation under `parent` (default: the caller's own)",
          description="An admin adds anywhere; an organiser under its own organisation or "
          "below it. Codes are 1-32 letters, digits or '-', unique whatever their case, "
          "stored in lower case, and never change.")
    async def create_org(self, request: Request, data: JSONBody[OrgIn]) -> OrgOut:
        principal = require(request)
        parent = data.parent or principal.org_code
        if parent is None:
            raise Invalid("parent", "required")
        row = await orgs.create_org(data.code, data.name_zh, data.name_en, data.kind, parent,
                                    principal=principal)
        return org_out(row)

    @patch("/{code:str}", guards=[organiser_guard],
           summary="Rename, move (`parent`), deactivate or reactivate (`active`) an organisation",
           description="An admin changes any organisation; an organiser those strictly below "
           "its own, and moves them only within its own subtree. A move never puts an "
           "organisation under itself or below itself, and carries everything below it along. "
           "Deactivation is refused (409) while there are active organisations below it, "
           "published fairs that have not ended in its subtree, or active staff logins in its "
           "subtree unless `deactivate_users` is true (they are deactivated with it).")
    async def update_org(self, request: Request, code: FromPath[str],
                         data: JSONBody[OrgPatch]) -> OrgOut:
        given = {f: getattr(data, f) for f in ("name_zh", "name_en", "kind", "parent", "active")
                 if getattr(data, f) is not msgspec.UNSET}
        row = await orgs.update_org(require(request), code,
                                    deactivate_users=data.deactivate_users, **given)
        return org_out(row)


ROUTES = [AuthController, OrgController]
