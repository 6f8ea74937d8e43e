"""/calendar: choose a filter and subscribe; the "add to calendar" section of a fair's page;
an employer's private feed address (shown, or replaced by a new one)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from fairs import labels
from fairs.accounts import services as accounts
from fairs.accounts.auth import employer_guard
from fairs.catalog import services as catalog
from fairs.errors import FairsError, Invalid
from fairs.hooks import PageSection
from fairs.web import page

from . import services
from .api import FEED_QUERY, FeedCodes, employer_id_of, webcal

DAY_CHOICES = (180, 365, 730, 1825)


def _base(request: Request) -> str:
    return request.app.state.settings.base_url


async def subscribe_section(request: Request, fair: dict) -> PageSection | None:
    """The "add to your calendar" section of /fairs/{id} (order 70)."""
    if fair.get("status") not in services.PUBLIC_STATUSES:
        return None
    return PageSection("calendar/_fair_section.html", order=70, context={
        "feed_url": f"{_base(request)}/calendar/fairs/{fair['id']}.ics",
        "kind_feed_url": services.feed_url(services.FeedFilter(kind=fair.get("kind")),
                                           _base(request))})


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar", dependencies=FEED_QUERY)
    async def subscribe(
        self,
        request: Request,
        codes: NamedDependency[FeedCodes],
        days: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Template:
        error = None
        try:
            day_count = int(days) if days else services.DEFAULT_DAYS
        except ValueError:
            day_count = services.DEFAULT_DAYS
        try:
            flt = await services.check_filter(**codes, days=day_count)
        except Invalid as exc:
            error = exc
            flt = services.FeedFilter()
        private_url = None
        principal = request.scope.get("user")
        if principal is not None and principal.role == "employer":
            try:
                private_url = await services.employer_feed_url(
                    await employer_id_of(request), request.app.state.settings.secret_key,
                    _base(request))
            except FairsError:
                private_url = None
        return page(
            request, "calendar/subscribe.html",
            flt=flt, error=error, feed_url=services.feed_url(flt, _base(request)),
            name=await services.feed_name(flt),
            industries=await catalog.industries(), audiences=await catalog.audiences(),
            orgs=await accounts.list_orgs(), day_choices=DAY_CHOICES,
            kinds=tuple(labels.FAIR_KIND_PLURAL.items()),
            private_url=private_url, webcal=webcal,
        )

    @post("/calendar/private/renew", guards=[employer_guard], status_code=303)
    async def renew_private(self, request: Request) -> Redirect:
        await services.revoke_employer_feed(await employer_id_of(request))
        return Redirect(path="/calendar#private", status_code=303)


ROUTES = [CalendarPages]
