"""Pages: the door scanner (/scan, /scan/{fair id}) with its web app manifest and service worker
(/sw.js), the walk-in kiosk, the wall (/wall/{fair id}, ?kiosk=1 for a screen) and the
attendee's self check-in page."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Template

from fairs import clock
from fairs.accounts.auth import scanner_guard
from fairs.errors import Conflict, Invalid
from fairs.events import services as events
from fairs.events.services import FairFilter
from fairs.i18n import N_
from fairs.tickets import qr
from fairs.web import page

from . import door, pwa, selfcheckin, services

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _may_scan(request: Request, fair: dict) -> bool:
    user = request.scope.get("user")
    return user is not None and user.has_role("scanner", "organiser") and services.may_scan(
        user, fair["org_path"])


class ScannerPages(Controller):
    include_in_schema = False

    @get("/scan", guards=[scanner_guard])
    async def today(self, request: Request) -> Template:
        today = clock.today_local()
        start = events.day_start(today)
        flt = FairFilter(status="published", kind="offline", start=start,
                         end=events.day_start(today + timedelta(days=2)))
        rows, _total = await events.list_fairs(request.scope.get("user"), flt, limit=100)
        user = request.scope.get("user")
        rows = [r for r in rows if services.may_scan(user, r["org_path"])]
        for r in rows:
            r["window"] = services.window(r)
        return page(request, "checkin/today.html", fairs=rows, now=services.now())

    @get("/scan/{fair_id:int}", guards=[scanner_guard])
    async def scanner(self, request: Request, fair_id: FromPath[int]) -> Template:
        await door.ensure_may_scan(request.scope["user"], fair_id)
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        opens, closes = services.window(fair)
        return page(request, "checkin/scanner.html", fair=fair, opens=opens, closes=closes,
                    counts=await services.counts(fair_id), rendered_at=clock.now())

    @get("/scan/{fair_id:int}/manifest.webmanifest", guards=[scanner_guard])
    async def manifest(self, request: Request, fair_id: FromPath[int]) -> Response[dict]:
        """The scanner page's web app manifest (fetched with the session: the page links it
        with crossorigin="use-credentials")."""
        await door.ensure_may_scan(request.scope["user"], fair_id)
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        return Response(pwa.manifest(fair, request.scope["state"]["locale"]),
                        media_type="application/manifest+json",
                        headers={"Cache-Control": "private, no-cache"})

    @get("/sw.js")
    async def service_worker(self, request: Request) -> Response[str]:
        """The scanner's service worker, at the root so that its scope covers the scanner pages
        and sees logins and logouts. Public (it holds no data); revalidated on every check, so
        a deploy's new worker replaces the old one at the next visit."""
        source, version = pwa.service_worker()
        etag = f'"{version}"'
        headers = {"Cache-Control": "no-cache", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response("", status_code=304, headers=headers)
        return Response(source, media_type="text/javascript; charset=utf-8", headers=headers)

    @get("/scan/{fair_id:int}/kiosk", guards=[scanner_guard])
    async def kiosk(self, request: Request, fair_id: FromPath[int]) -> Template:
        await door.ensure_may_scan(request.scope["user"], fair_id)
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        return page(request, "checkin/kiosk.html", fair=fair, answer=None, errors={}, form={})

    @post("/scan/{fair_id:int}/kiosk", guards=[scanner_guard], status_code=200)
    async def kiosk_admit(self, request: Request, fair_id: FromPath[int],
                          data: FormData) -> Template:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        form = {"name": str(data.get("name", "")), "phone": str(data.get("phone", ""))}
        try:
            answer = await selfcheckin.walk_in(fair_id, form["name"], form["phone"],
                                            principal=request.scope["user"], device="kiosk")
        except (Invalid, Conflict) as exc:
            errors = {e.field: e.message for e in exc.errors} or {"_": exc.detail}
            return page(request, "checkin/kiosk.html", status_code=exc.status, fair=fair,
                        answer=None, errors=errors, form=form)
        return page(request, "checkin/kiosk.html", fair=fair, answer=answer, errors={},
                    form={})


# The wall's tiles per kind of fair: an offline fair counts people at the door (no livestream
# views), an online one its registrations and viewers (nobody is admitted at a door).
WALL_TILES = {
    "offline": (("checked_in", N_("Job seekers admitted")), ("registered", N_("Registered")),
                ("walk_ins", N_("of whom walk-ins")),
                ("employers_present", N_("Employers present"))),
    "online": (("registered", N_("Registered")), ("online_viewers", N_("Livestream views")),
               ("online_peak", N_("Peak viewers"))),
}


class WallPages(Controller):
    include_in_schema = False

    @get("/wall/{fair_id:int}")
    async def wall(self, request: Request, fair_id: FromPath[int],
                   kiosk: Annotated[bool, QueryParameter(
                       description="1: the screen view, without the site's navigation")] = False,
                   ) -> Template:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        self_code = None
        if (_may_scan(request, fair) and fair["status"] == "published"
                and fair["kind"] == "offline"):
            token, expires = selfcheckin.self_token(request.app.state.settings.secret_key,
                                                 fair_id)
            base = str(request.base_url).rstrip("/")
            url = f"{base}/checkin/{fair_id}/self?t={token}"
            self_code = {"url": url, "svg": qr.svg_inline(url), "expires": expires}
        return page(request, "checkin/wall.html", fair=fair, self_code=self_code, kiosk=kiosk,
                    tiles=WALL_TILES[fair["kind"]], attendance=await services.attendance(fair_id))

    @get("/checkin/scan")
    async def attendee_scan(self, request: Request) -> Template:
        return page(request, "checkin/attendee_scan.html")

    @get("/checkin/{fair_id:int}/self")
    async def self_check_in(
        self, request: Request, fair_id: FromPath[int],
        t: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        valid = bool(t) and selfcheckin.self_token_valid(request.app.state.settings.secret_key,
                                                      fair_id, t or "")
        return page(request, "checkin/self.html", fair=fair, token=t or "", valid=valid)


ROUTES = [ScannerPages, WallPages]
