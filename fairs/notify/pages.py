"""Pages: "send my ticket again" (anyone), turning reminders off from the SMS's link, and the
admins' outbox and webhooks."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from fairs.accounts.auth import admin_guard, client_address
from fairs.errors import FairsError, Invalid, NotFound, TooManyRequests
from fairs.events import services as events
from fairs.i18n import N_
from fairs.phones import check_mobile
from fairs.web import form_int, form_text, page

from . import outbox, services, worker
from .receivers import EVENTS

FormData = Annotated[dict, Body(media_type=RequestEncodingType.URL_ENCODED)]


class PublicPages(Controller):
    include_in_schema = False

    @get("/fairs/{fair_id:int}/tickets/resend")
    async def resend_form(self, request: Request, fair_id: FromPath[int]) -> Template:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        return page(request, "notify/resend.html", fair=fair, done=False, errors={}, phone="")

    @post("/fairs/{fair_id:int}/tickets/resend", status_code=200)
    async def resend(self, request: Request, fair_id: FromPath[int],
                     data: FormData) -> Template:
        fair = await events.get_fair(fair_id, request.scope.get("user"))
        raw = str(data.get("phone", ""))[:40]
        try:
            phone = check_mobile(raw)
            limiter = request.app.state.limiter
            await limiter.hit("resend_ip", client_address(request))
            await limiter.hit("resend_phone", phone, fair_id)
            await services.resend_ticket(fair_id, phone)
        except TooManyRequests:
            raise
        except Invalid as exc:
            return page(request, "notify/resend.html", status_code=exc.status, fair=fair,
                        done=False, errors=exc.field_texts(), phone=raw)
        return page(request, "notify/resend.html", fair=fair, done=True, errors={}, phone="")

    @get("/n/stop/{token:str}")
    async def stop_form(self, request: Request, token: FromPath[str]) -> Template:
        registration = self._registration(request, token)
        return page(request, "notify/stop.html", token=token,
                    done=await services.reminders_stopped(registration))

    @post("/n/stop/{token:str}", status_code=200)
    async def stop(self, request: Request, token: FromPath[str]) -> Template:
        await services.stop_reminders(self._registration(request, token))
        return page(request, "notify/stop.html", token=token, done=True)

    @staticmethod
    def _registration(request: Request, token: str) -> int:
        found = worker.check_stop_token(request.app.state.settings, token)
        if found is None:
            raise NotFound(N_("no such link"))
        return found


class AdminPages(Controller):
    include_in_schema = False
    guards = [admin_guard]

    @get("/admin/outbox")
    async def outbox_page(self, request: Request) -> Template:
        query = dict(request.query_params)
        status = form_text(query, "status", 10) or None
        if status and status not in ("pending", "sent", "failed"):
            status = None
        channel = form_text(query, "channel", 10) or None
        if channel and channel not in ("sms", "email", "webhook"):
            channel = None
        page_no = form_int(query, "page", 1, lo=1, hi=100_000) or 1
        items, total = await outbox.listing(status, channel, 50, (page_no - 1) * 50)
        return page(request, "notify/outbox.html", items=items, total=total,
                    counts=await outbox.counts(), status=status, channel=channel,
                    page_no=page_no, pages=max(1, -(-total // 50)), errors={},
                    sent=query.get("sent") == "1")

    @post("/admin/outbox/{message_id:int}/retry", status_code=303)
    async def retry(self, message_id: FromPath[int]) -> Redirect:
        await outbox.retry(message_id)
        return Redirect(path="/admin/outbox?status=pending", status_code=303)

    @post("/admin/outbox/test", status_code=303)
    async def test_message(self, request: Request, data: FormData) -> Template | Redirect:
        try:
            await services.send_test(str(data.get("channel", ""))[:10],
                                     str(data.get("to", ""))[:254])
        except FairsError as exc:
            items, total = await outbox.listing(None, None, 50, 0)
            return page(request, "notify/outbox.html", status_code=exc.status, items=items,
                        total=total, counts=await outbox.counts(), status=None, channel=None,
                        page_no=1, pages=max(1, -(-total // 50)), errors=exc.field_texts(),
                        sent=False)
        return Redirect(path="/admin/outbox?sent=1", status_code=303)

    @get("/admin/webhooks")
    async def webhooks_page(self, request: Request) -> Template:
        return page(request, "notify/webhooks.html", hooks=await services.webhooks(),
                    events=EVENTS, made=None, errors={})

    @post("/admin/webhooks", status_code=200)
    async def create_webhook(self, request: Request, data: FormData) -> Template:
        chosen = data.get("events") or []
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)[:20]
        made, errors = None, {}
        try:
            made = await services.create_webhook(str(data.get("url", ""))[:500],
                                                 [str(e)[:40] for e in chosen])
        except Invalid as exc:
            errors = exc.field_texts()
        return page(request, "notify/webhooks.html", status_code=422 if errors else 200,
                    hooks=await services.webhooks(), events=EVENTS, made=made, errors=errors)

    @post("/admin/webhooks/{endpoint_id:int}/delete", status_code=303)
    async def delete_webhook(self, endpoint_id: FromPath[int]) -> Redirect:
        await services.delete_webhook(endpoint_id)
        return Redirect(path="/admin/webhooks", status_code=303)


ROUTES = [PublicPages, AdminPages]
