"""GET /api/v1/audit: the audit log, for admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from fairs.accounts.auth import admin_guard

from . import render, services


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["system"]
    guards = [admin_guard]

    @get("/", summary="Organiser and employer actions, newest first (admins)")
    async def list_entries(
        self,
        action: Annotated[str | None, QueryParameter(max_length=200)] = None,
        object_type: Annotated[str | None, QueryParameter(max_length=200)] = None,
        object_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    ) -> dict:
        rows, total = await services.entries(limit, offset, action, object_type, object_id)
        shown = await render.render(rows)
        items = [{**r, "at": r["at"].isoformat(),
                  # Added (issue 15), in the request's language: who, what, what changed.
                  "who": s["who"], "who_org": s["org"], "summary": s["what"],
                  "changes": s["changes"]} for r, s in zip(rows, shown, strict=True)]
        return {"items": items, "total": total}


ROUTES = [AuditController]
