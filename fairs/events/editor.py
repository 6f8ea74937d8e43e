"""The organiser's fair pages: the list and the fair editor (create, edit, publish, cancel,
delete). Every rule is the events service's: a page parses the form, calls the service, and
shows the `fairs.errors` it raises next to the field they name (a 409 overlap with a link to the
other fair).
"""

from __future__ import annotations

from math import ceil
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from fairs.accounts import services as accounts
from fairs.accounts.auth import organiser_guard, require
from fairs.accounts.pages import FormData
from fairs.catalog import services as catalog
from fairs.errors import Conflict, FairsError, Invalid, NotFound
from fairs.i18n import N_, format_range, gettext
from fairs.web import page

from . import services
from .pagekit import (
    HELPERS,
    ORGANISER_PAGE_SIZE,
    WINDOWS,
    Text,
    _many,
    _one,
    common,
    input_value,
    load_catalogue,
    parse_form,
    query_url,
)
from .services import FORMATS, KINDS, STATUSES, FairFilter

# --- the organiser's pages ------------------------------------------------------------------


def field_errors(exc: FairsError) -> tuple[dict[str, list[str]], list[str]]:
    """Field messages (translated where known) and the messages that name no field."""
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        fields.setdefault(e.field, []).append(e.text())
    general = [] if exc.errors else [exc.text()]
    return fields, general


class OrganiserFairPages(Controller):
    path = "/organiser/fairs"
    guards = [organiser_guard]
    include_in_schema = False

    @get("/")
    async def list_page(
        self, request: Request, status: Text = None, when: Text = None, org: Text = None,
        q: Text = None, deleted: Text = None,
        page_no: Annotated[int, QueryParameter(name="page", ge=1, le=10_000)] = 1,
    ) -> Template:
        principal = require(request)
        orgs = await accounts.list_orgs(None if principal.is_admin else principal.org_path)
        codes = {o["code"] for o in orgs}
        when = when if when in ("upcoming", "past", "all") else "upcoming"
        flt = FairFilter(
            status=status if status in STATUSES else None,
            org=org if org in codes else (principal.org_code if not principal.is_admin
                                          else None),
            q=(q or "").strip()[:100] or None,
        )
        if when == "upcoming":
            flt.start = services.now()
        elif when == "past":
            flt.end = services.now()
        rows, total = await services.list_fairs(principal, flt, ORGANISER_PAGE_SIZE,
                                                (page_no - 1) * ORGANISER_PAGE_SIZE)
        params = {"status": flt.status, "when": when if when != "upcoming" else None,
                  "org": org if org in codes else None, "q": flt.q}
        return page(request, "events/organiser_list.html", **common(
            fairs=rows, total=total, page_no=page_no, params=params, when=when, orgs=orgs,
            org_names={o["code"]: o for o in await accounts.list_orgs()},
            pages=max(1, ceil(total / ORGANISER_PAGE_SIZE)), statuses=STATUSES,
            deleted=bool(deleted),
            page_url=lambda n: query_url("/organiser/fairs", params, page=n if n > 1 else None),
        ))

    async def _editor(self, request: Request, *, fair: dict | None, values: dict[str, Any],
                      status_code: int = 200, error: FairsError | None = None,
                      done: str | None = None, cancel_reason: str = "") -> Template:
        principal = require(request)
        errors, general = field_errors(error) if error else ({}, [])
        conflict = None
        if isinstance(error, Conflict) and error.extra.get("conflicting_fair"):
            other_id = error.extra["conflicting_fair"]
            try:
                conflict = await services.get_fair(other_id, principal, decorate=False)
            except NotFound:
                conflict = {"id": other_id, "title": "", "starts_at": None, "ends_at": None}
            errors = {k: [] for k in errors}  # shown as the conflict sentence instead
        return page(request, "events/editor.html", status_code=status_code, **common(
            fair=fair, values=values, errors=errors, general=general, conflict=conflict,
            done=done, cancel_reason=cancel_reason, cat=await load_catalogue(),
            venues=await catalog.venues(), channels=await catalog.channels(),
            orgs=await accounts.list_orgs(None if principal.is_admin else principal.org_path),
            formats=FORMATS, kinds=KINDS, windows=WINDOWS,
        ))

    @get("/new")
    async def new_page(self, request: Request, kind: Text = None) -> Template:
        principal = require(request)
        kind = kind if kind in KINDS else "offline"
        values = {"kind": kind, "format": "livestream" if kind == "online" else "special",
                  "org": principal.org_code, "industries": [], "audiences": []}
        return await self._editor(request, fair=None, values=values)

    @post("/", status_code=303)
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        principal = require(request)
        kind = _one(data, "kind")
        values = form_values(data)
        try:
            if kind not in KINDS:
                raise Invalid("kind", N_("required"), code="required")
            parsed = parse_form(data, kind=kind)
            fair = await services.create_fair(principal, parsed)
        except FairsError as exc:
            return await self._editor(request, fair=None, values=values, error=exc,
                                      status_code=error_status(exc))
        return Redirect(path=f"/organiser/fairs/{fair['id']}?done=created", status_code=303)

    @get("/{fair_id:int}")
    async def edit_page(self, request: Request, fair_id: FromPath[int],
                        done: Text = None) -> Template:
        principal = require(request)
        await services.get_fair_for_update(principal, fair_id)  # 403 outside the subtree
        fair = await services.get_fair(fair_id, principal)
        return await self._editor(request, fair=fair, values=fair_values(fair),
                                  done=done if done in DONE_MESSAGES else None)

    @post("/{fair_id:int}", status_code=303)
    async def update(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        principal = require(request)
        await services.get_fair_for_update(principal, fair_id)  # 403 before the form is read
        fair = await services.get_fair(fair_id, principal)
        values = form_values(data, kind=fair["kind"])
        try:
            parsed = parse_form(data, kind=fair["kind"])
            parsed.pop("kind")
            parsed.pop("org", None)
            parsed.pop("venue" if fair["kind"] == "online" else "channel")
            await services.update_fair(principal, fair_id, parsed)
        except FairsError as exc:
            if exc.status in (401, 403):
                raise
            return await self._editor(request, fair=fair, values=values, error=exc,
                                      status_code=error_status(exc))
        return Redirect(path=f"/organiser/fairs/{fair_id}?done=saved", status_code=303)

    @post("/{fair_id:int}/publish", status_code=303)
    async def publish(self, request: Request, fair_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        return await self._act(request, fair_id, "published",
                               lambda p: services.publish(p, fair_id))

    @post("/{fair_id:int}/cancel", status_code=303)
    async def cancel(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        reason = str(data.get("reason") or "")
        if data.get("confirm") != "yes" and reason.strip():
            # Cancelling cannot be undone: without `confirm=yes` (confirm.js adds it when the
            # person agrees in its dialog) the answer is a page that says what will happen.
            principal = require(request)
            await services.get_fair_for_update(principal, fair_id)  # 403 outside the subtree
            fair = await services.get_fair(fair_id, principal)
            if fair["status"] == "published":
                return page(
                    request, "confirm.html",
                    heading=gettext("Cancel the fair “%(title)s”", title=fair["title"]),
                    question=gettext(
                        "Cancel the fair “%(title)s”? Its bookings and registrations end and "
                        "its page shows the reason. This cannot be undone.", title=fair["title"]),
                    note="", items=[format_range(fair["starts_at"], fair["ends_at"]),
                                    gettext("Reason") + ": " + reason.strip()],
                    action=f"/organiser/fairs/{fair_id}/cancel", fields={"reason": reason},
                    button=gettext("Cancel the fair"), back=f"/organiser/fairs/{fair_id}",
                    danger=True)
        return await self._act(request, fair_id, "cancelled",
                               lambda p: services.cancel(p, fair_id, reason),
                               cancel_reason=reason)

    @post("/{fair_id:int}/delete", status_code=303)
    async def delete(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        return await self._act(request, fair_id, "deleted",
                               lambda p: services.delete_fair(p, fair_id))

    async def _act(self, request: Request, fair_id: int, done: str, action,
                   cancel_reason: str = "") -> Template | Redirect:
        principal = require(request)
        try:
            await action(principal)
        except (Invalid, Conflict) as exc:
            fair = await services.get_fair(fair_id, principal)
            return await self._editor(request, fair=fair, values=fair_values(fair), error=exc,
                                      status_code=error_status(exc),
                                      cancel_reason=cancel_reason)
        if done == "deleted":
            return Redirect(path="/organiser/fairs?deleted=1", status_code=303)
        return Redirect(path=f"/organiser/fairs/{fair_id}?done={done}", status_code=303)


DONE_MESSAGES = {
    "created": N_("The fair is saved as a draft. Publish it when it is ready."),
    "saved": N_("Your changes are saved."),
    "published": N_("The fair is published: the public can see it now."),
    "cancelled": N_("The fair is cancelled; its page shows the reason."),
}


def error_status(exc: FairsError) -> int:
    """A form the service refused: 409 for a conflict, 403 for another organisation's,
    else 422 (an unknown venue is the form's field error, not a missing page)."""
    return exc.status if exc.status in (403, 409) else 422


def form_values(form: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
    """What the person typed, to fill the form again after an error."""
    values = {k: _one(form, k) for k in ("kind", "title", "format", "venue", "channel",
                                         "stream_url", "starts_at", "ends_at", "capacity",
                                         "org", *WINDOWS)}
    values["description"] = str(form.get("description") or "")
    values["industries"] = _many(form, "industries")
    values["audiences"] = _many(form, "audiences")
    if kind:
        values["kind"] = kind
    return values


def fair_values(fair: dict) -> dict[str, Any]:
    values = {k: fair[k] for k in ("kind", "title", "format", "stream_url", "description",
                                   "industries", "audiences")}
    values.update(
        venue=str(fair["venue"] or ""), channel=str(fair["channel"] or ""),
        capacity=str(fair["capacity"] or ""), org=fair["org_code"],
        starts_at=input_value(fair["starts_at"]), ends_at=input_value(fair["ends_at"]),
        **{k: input_value(fair[k]) for k in WINDOWS},
    )
    return values


HELPERS.done_messages = DONE_MESSAGES
