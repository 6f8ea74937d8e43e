"""The audit log page: admins read all of it, an organiser the entries of their own
organisation's subtree (the scope comes from the login, never from the address)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.response import Template

from fairs.accounts.auth import organiser_guard, require
from fairs.errors import Invalid
from fairs.i18n import N_
from fairs.web import form_date, form_int, form_text, page

from . import render, services

PAGE_SIZE = 50


class AuditPages(Controller):
    include_in_schema = False
    guards = [organiser_guard]

    @get("/organiser/audit")
    async def audit(self, request: Request) -> Template:
        principal = require(request)
        query = dict(request.query_params)
        action = form_text(query, "action", 64) or None
        if action and action not in render.ACTION_KINDS:
            raise Invalid("action", N_("unknown action"))
        object_type = form_text(query, "object_type", 32) or None
        if object_type and object_type not in render.OBJECT_TYPES:
            raise Invalid("object_type", N_("unknown object"))
        under = services.scope_of(principal)
        flt = services.AuditFilter(
            action=action, object_type=object_type,
            object_id=form_text(query, "object_id", 64) or None,
            actor_id=form_int(query, "person", None, lo=1),
            since=form_date(query, "from"), until=form_date(query, "to"), under=under)
        page_no = form_int(query, "page", 1, lo=1, hi=100_000) or 1
        rows, total = await services.entries(PAGE_SIZE, (page_no - 1) * PAGE_SIZE, flt=flt)
        params = {k: v for k, v in query.items() if k in (
            "action", "object_type", "object_id", "person", "from", "to", "lang") and v}
        pages = max(1, -(-total // PAGE_SIZE))

        def page_url(n: int) -> str:
            return "/organiser/audit?" + urlencode({**params, "page": n})

        return page(request, "audit/list.html", rows=await render.render(rows), total=total,
                    params=params, people=await render.people(await services.actors(under)),
                    actions=render.ACTION_KINDS, object_types=render.OBJECT_TYPES,
                    page_no=page_no, pages=pages,
                    prev_url=page_url(page_no - 1) if page_no > 1 else None,
                    next_url=page_url(page_no + 1) if page_no < pages else None)


ROUTES = [AuditPages]
