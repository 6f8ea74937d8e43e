"""/api/v1: the outbox and webhooks (admins), "send my ticket again" (anyone); API.md
"Notifications"."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from fairs.accounts.auth import admin_guard, client_address
from fairs.errors import NotFound
from fairs.i18n import N_
from fairs.phones import check_mobile

from . import outbox, services
from .schemas import ResendIn, TestMessageIn, WebhookIn


class OutboxController(Controller):
    path = "/api/v1/outbox"
    tags = ["notifications"]
    guards = [admin_guard]

    @get("/", summary="Messages, newest first, recipients masked; counts by channel (admins)")
    async def list_messages(
        self,
        status: FromQuery[Literal["pending", "sent", "failed"] | None] = None,
        channel: FromQuery[Literal["sms", "email", "webhook"] | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    ) -> dict:
        items, total = await outbox.listing(status, channel, limit, offset)
        return {"items": items, "total": total, "counts": await outbox.counts()}

    @post("/{message_id:int}/retry", status_code=HTTP_202_ACCEPTED,
          summary="Send a failed message again (admins)")
    async def retry(self, message_id: FromPath[int]) -> dict:
        if not await outbox.retry(message_id):
            raise NotFound(N_("no such failed message"))
        return {"id": message_id, "status": "pending"}

    @post("/test", status_code=HTTP_202_ACCEPTED, summary="Queue a test message (admins)")
    async def test_message(self, data: JSONBody[TestMessageIn]) -> dict:
        await services.send_test(data.channel, data.to)
        return {"status": "pending"}


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["notifications"]
    guards = [admin_guard]

    @post("/", status_code=HTTP_201_CREATED,
          summary="Register a partner's endpoint for event types; answers its secret once")
    async def create(self, data: JSONBody[WebhookIn]) -> dict:
        made = await services.create_webhook(data.url, data.events, data.secret)
        return {"id": made["id"], "secret": made["secret"], "url": made["url"],
                "events": made["events"]}

    @get("/", summary="Registered endpoints (admins)")
    async def list_webhooks(self) -> dict:
        return {"items": await services.webhooks()}

    @get("/{endpoint_id:int}", summary="An endpoint and its latest deliveries (admins)")
    async def get_webhook(self, endpoint_id: FromPath[int]) -> dict:
        return await services.webhook(endpoint_id)

    @delete("/{endpoint_id:int}", status_code=HTTP_204_NO_CONTENT,
            summary="Remove an endpoint (admins)")
    async def delete_webhook(self, endpoint_id: FromPath[int]) -> None:
        await services.delete_webhook(endpoint_id)


class ResendController(Controller):
    path = "/api/v1/fairs/{fair_id:int}/tickets/resend"
    tags = ["tickets"]

    @post("/", status_code=HTTP_202_ACCEPTED,
          summary="Send the ticket of this phone for this fair again by SMS; 202 whether or "
                  "not the phone is registered")
    async def resend(self, request: Request, fair_id: FromPath[int],
                     data: JSONBody[ResendIn]) -> dict:
        phone = check_mobile(data.phone)
        limiter = request.app.state.limiter
        await limiter.hit("resend_ip", client_address(request))
        await limiter.hit("resend_phone", phone, fair_id)
        await services.resend_ticket(fair_id, phone)
        return {"status": "accepted"}


ROUTES = [OutboxController, WebhookController, ResendController]
