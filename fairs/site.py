"""Site-wide routes: the home page, the language switch, and the health check."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import File, Redirect, Template
from litestar.response.base import ASGIResponse

from fairs import hooks, i18n
from fairs.accounts import services as accounts
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import safe_next
from fairs.db import check_database
from fairs.settings import ROOT
from fairs.web import LANG_COOKIE, STATELESS, page


class SitePages(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request) -> Template:
        sections = await hooks.sections(hooks.home_sections, request)
        return page(request, "home.html", sections=sections)

    @get("/lang/{code:str}")
    async def switch_language(
        self, code: FromPath[str], next_: Annotated[str | None, QueryParameter(name="next")] = None
    ) -> Redirect:
        locale = i18n.normalise(code) or i18n.DEFAULT_LOCALE
        response = Redirect(path=safe_next(next_), status_code=303)
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax",
                            httponly=True)
        return response

    @get("/favicon.ico")
    async def favicon(self) -> File:
        """Browsers ask for it whatever the page says (and pages link static/img's): served,
        not a 404 logged for every first visit."""
        return File(path=ROOT / "static" / "img" / "favicon.ico",
                    media_type="image/vnd.microsoft.icon", content_disposition_type="inline",
                    headers={"Cache-Control": "public, max-age=604800"})




class OrganiserHome(Controller):
    include_in_schema = False
    guards = [organiser_guard]

    @get("/organiser")
    async def home(self, request: Request) -> Template:
        links = [{"href": link.href, "title": i18n.gettext(link.title),
                  "text": i18n.gettext(link.text)}
                 for link in await hooks.links_for_organisers()]
        principal = require(request)
        org = next((o for o in await accounts.list_orgs(principal.org_path)
                    if o["code"] == principal.org_code), None) if principal.org_path else None
        return page(request, "organiser/home.html", links=links, org=org)


# A health answer is reused for this long (per engine and Redis client): a load balancer, or a
# flood of anonymous requests, costs the database at most one probe a second per process, and
# requests that arrive while a probe is out wait for that one.
HEALTH_TTL = 1.0


class _Probe:
    def __init__(self) -> None:
        self.key: tuple = ()
        self.until = 0.0
        self.answer: tuple[int, bytes] = (503, b"")
        self.running: asyncio.Task | None = None

    async def _check(self, engine: Any, redis: Any) -> tuple[int, bytes]:
        db_ok, db_detail = await check_database(engine)
        checks = {"database": "ok" if db_ok else f"error: {db_detail}"}
        healthy = db_ok
        if redis is not None:
            try:
                await redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks["redis"] = f"error: {type(exc).__name__}"
                healthy = False
        body = {"status": "ok" if healthy else "unhealthy", "checks": checks}
        return (200 if healthy else 503, msgspec.json.encode(body))

    async def answer_for(self, engine: Any, redis: Any) -> tuple[int, bytes]:
        key = (id(engine), id(redis))
        loop = asyncio.get_running_loop()
        if key == self.key and loop.time() < self.until:
            return self.answer
        if self.running is None or self.key != key:
            self.key = key
            self.running = loop.create_task(self._check(engine, redis))
        task = self.running
        try:
            answer = await asyncio.shield(task)
        finally:
            if self.running is task and task.done():
                self.running = None
        if self.key == key:
            self.answer, self.until = answer, loop.time() + HEALTH_TTL
        return answer


_probe = _Probe()


class HealthController(Controller):
    path = "/api/v1/health"
    tags = ["system"]

    # The same answer for everyone: no session, CSRF or user looked at (fairs.web.STATELESS).
    @get("/", summary="Database (and Redis, when configured) health", opt={STATELESS: True})
    async def health(self, request: Request) -> ASGIResponse:
        state = request.app.state
        status, body = await _probe.answer_for(state.get("engine"), state.get("redis"))
        # The bytes as they are (no Response object to build, encode and convert per call).
        return ASGIResponse(body=body, status_code=status, media_type="application/json")


ROUTES = [SitePages, OrganiserHome, HealthController]
