"""The audit log page for admins."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from fairs.accounts.auth import admin_guard
from fairs.web import page

from . import services


class AuditPages(Controller):
    include_in_schema = False
    guards = [admin_guard]

    @get("/organiser/audit")
    async def audit(self, request: Request) -> Template:
        rows, total = await services.entries(limit=200)
        return page(request, "audit/list.html", rows=rows, total=total)

ROUTES = [AuditPages]
