"""Calendar feeds (text/calendar) and the employer's private feed address (/api/v1/me/calendar)."""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Controller, Request, Response, delete, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_204_NO_CONTENT

from fairs import hooks
from fairs.accounts.auth import employer_guard, require
from fairs.errors import Forbidden, NotFound
from fairs.i18n import N_

from . import services
from .http import PRIVATE_CACHE, fair_ics_response, ics_response
from .schemas import FeedUrlOut

_ICS_NAME = re.compile(r"^([A-Za-z0-9_-]{1,100})\.ics$")
Code = Annotated[str | None, QueryParameter(max_length=200)]
FeedCodes = dict[str, str | None]


async def feed_query(kind: Code = None, industry: Code = None, audience: Code = None,
                     org: Code = None) -> FeedCodes:
    """A feed's filter codes as given in the query (as in GET /api/v1/fairs): one dependency
    for the feed and its subscribe page."""
    return {"kind": kind, "industry": industry, "audience": audience, "org": org}


FEED_QUERY = {"codes": Provide(feed_query)}


def _name(value: str) -> str:
    match = _ICS_NAME.match(value)
    if not match:
        raise NotFound(N_("no such calendar"))
    return match.group(1)


def webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


class CalendarFeeds(Controller):
    path = "/calendar"
    tags = ["calendar"]

    @get("/fairs.ics", summary="Published fairs as an iCalendar feed",
         description="Filters `kind`, `industry`, `audience`, `org` as in GET /api/v1/fairs; "
         "`days` (default 180): fairs that ended up to that many days ago are included. "
         "Answers ETag/Last-Modified and 304 to a matching If-None-Match/If-Modified-Since.",
         dependencies=FEED_QUERY)
    async def fairs_feed(
        self,
        request: Request,
        codes: NamedDependency[FeedCodes],
        days: Annotated[int | None, QueryParameter(ge=1, le=services.MAX_DAYS)] = None,
    ) -> Response:
        flt = await services.check_filter(**codes, days=days)
        stamp = await services.feed_stamp(flt)
        return await ics_response(request, stamp.etag, stamp.last_modified,
                                  lambda: services.feed_body(flt, stamp))

    @get("/fairs/{name:str}", summary="One fair as an iCalendar file ({id}.ics)")
    async def fair_feed(self, request: Request, name: FromPath[str]) -> Response:
        fair_id = _name(name)
        if not fair_id.isdigit() or len(fair_id) > 12:
            raise NotFound(N_("no such fair"))
        return await fair_ics_response(request, int(fair_id))

    @get("/feeds/{name:str}", summary="An employer's private feed ({token}.ics)")
    async def employer_feed(self, request: Request, name: FromPath[str]) -> Response:
        token = _name(name)
        body, etag, last_modified = await services.employer_feed(token)
        # A booking that goes away leaves no later timestamp behind, so only the ETag (a hash
        # of the body) decides a 304 here.
        return await ics_response(request, etag, last_modified, body,
                                  cache_control=PRIVATE_CACHE, honour_ims=False)


async def employer_id_of(request: Request) -> int:
    principal = require(request)
    employer = await hooks.employer_of_user.first(principal)
    if not employer:
        raise Forbidden(N_("This login belongs to no employer."), code="not_an_employer")
    return int(employer)


class MyCalendar(Controller):
    path = "/api/v1/me/calendar"
    tags = ["calendar"]
    guards = [employer_guard]

    @get("/", summary="The employer's private feed address, made on first use")
    async def get_url(self, request: Request) -> FeedUrlOut:
        settings = request.app.state.settings
        url = await services.employer_feed_url(await employer_id_of(request),
                                               settings.secret_key, settings.base_url)
        return FeedUrlOut(url=url, webcal=webcal(url))

    @delete("/", status_code=HTTP_204_NO_CONTENT,
            summary="Revoke the private feed: its address answers 404 at once")
    async def revoke(self, request: Request) -> None:
        await services.revoke_employer_feed(await employer_id_of(request))


ROUTES = [CalendarFeeds, MyCalendar]
