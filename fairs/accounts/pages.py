"""Login and logout pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from fairs.errors import NotAuthenticated
from fairs.web import page

from . import services
from .auth import client_address, end_session, renew_session


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


ROUTES = [LoginPages]
