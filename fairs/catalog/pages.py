"""Organiser pages for venues and livestream channels."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from fairs.accounts import services as accounts
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.web import form_int, page

from . import services


class CatalogPages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/catalog")
    async def manage(self, request: Request) -> Template:
        principal = require(request)
        return page(
            request, "catalog/manage.html",
            org_names={o["code"]: o for o in await accounts.list_orgs()},
            venues=await services.venues(), channels=await services.channels(),
            orgs=await accounts.list_orgs(None if principal.is_admin else principal.org_path),
        )

    @post("/venues", status_code=303)
    async def add_venue(self, request: Request, data: FormData) -> Redirect:
        await services.create_venue(
            require(request), name=str(data.get("name", "")), address=str(data.get("address", "")),
            district=str(data.get("district", "")) or None, capacity=form_int(data, "capacity", 0),
            step_free=bool(data.get("step_free")),
            booth_rows=form_int(data, "booth_rows", 0) or 0,
            booths_per_row=form_int(data, "booths_per_row", 0) or 0,
        )
        return Redirect(path="/organiser/catalog", status_code=303)

    @post("/venues/{venue_id:int}/layout", status_code=303)
    async def venue_layout(self, request: Request, venue_id: FromPath[int],
                           data: FormData) -> Redirect:
        """A venue's default booth layout, rows × booths per row (0 × 0: none)."""
        await services.update_venue(require(request), venue_id, {
            "booth_rows": form_int(data, "booth_rows", 0) or 0,
            "booths_per_row": form_int(data, "booths_per_row", 0) or 0})
        return Redirect(path="/organiser/catalog", status_code=303)

    @post("/channels", status_code=303)
    async def add_channel(self, request: Request, data: FormData) -> Redirect:
        await services.create_channel(
            require(request), name=str(data.get("name", "")), url=str(data.get("url", "")),
            district=str(data.get("district", "")) or None,
        )
        return Redirect(path="/organiser/catalog", status_code=303)

ROUTES = [CatalogPages]
