"""Organiser pages for venues and livestream channels."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from fairs.accounts import services as accounts
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.errors import Invalid
from fairs.extensions import register_organiser_link
from fairs.i18n import N_
from fairs.web import page

from . import services


def _int(data: dict[str, Any], field: str, default: int = 0) -> int:
    raw = str(data.get(field, "") or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise Invalid(field, "a whole number") from exc


class CatalogPages(Controller):
    path = "/organiser"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/catalog")
    async def manage(self, request: Request) -> Template:
        principal = require(request)
        return page(
            request, "catalog/manage.html",
            venues=await services.venues(), channels=await services.channels(),
            orgs=await accounts.list_orgs(None if principal.is_admin else principal.org_path),
        )

    @post("/venues", status_code=303)
    async def add_venue(self, request: Request, data: FormData) -> Redirect:
        await services.create_venue(
            require(request), name=str(data.get("name", "")), address=str(data.get("address", "")),
            district=str(data.get("district", "")) or None, capacity=_int(data, "capacity"),
            step_free=bool(data.get("step_free")),
        )
        return Redirect(path="/organiser/catalog", status_code=303)

    @post("/channels", status_code=303)
    async def add_channel(self, request: Request, data: FormData) -> Redirect:
        await services.create_channel(
            require(request), name=str(data.get("name", "")), url=str(data.get("url", "")),
            district=str(data.get("district", "")) or None,
        )
        return Redirect(path="/organiser/catalog", status_code=303)


register_organiser_link(90, "/organiser/catalog", N_("Venues and channels"),
                        N_("Where fairs happen and stream"))

ROUTES = [CatalogPages]
