"""/api/v1/fairs: create, list, read, change, publish, cancel, delete."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from fairs import bounds
from fairs.accounts.auth import organiser_guard, require
from fairs.errors import Invalid
from fairs.i18n import N_

from . import services
from .schemas import CancelIn, FairIn, FairOut, FairPatch
from .services import FairFilter, day_start, iso


def fair_out(row: dict) -> FairOut:
    return FairOut(
        id=row["id"], kind=row["kind"], title=row["title"], description=row["description"],
        format=row["format"], starts_at=iso(row["starts_at"]), ends_at=iso(row["ends_at"]),
        status=row["status"], org=row["org_code"], venue=row["venue"],
        venue_name=row["venue_name"], venue_address=row["venue_address"],
        channel=row["channel"], channel_name=row["channel_name"],
        stream_url=row["stream_url"] or (row["channel_url"] or ""), capacity=row["capacity"],
        industries=row["industries"], audiences=row["audiences"],
        registered=row["registered"], checked_in=row["checked_in"], revision=row["revision"],
        cancel_reason=row["cancel_reason"],
        booking_opens_at=iso(row["booking_opens_at"]),
        booking_closes_at=iso(row["booking_closes_at"]),
        registration_opens_at=iso(row["registration_opens_at"]),
        registration_closes_at=iso(row["registration_closes_at"]),
        updated_at=iso(row["updated_at"]),
    )


def parse_bound(value: str | None, field: str, end: bool) -> datetime | None:
    """`from`/`to`: a date (the whole day, China time) or an RFC 3339 time."""
    if not value:
        return None
    try:
        if len(value) == 10:
            d = bounds.check_date(date.fromisoformat(value), field)
            return day_start(d + timedelta(days=1) if end else d)
        return services.aware(datetime.fromisoformat(value), field)
    except ValueError as exc:
        raise Invalid(field, N_("a date YYYY-MM-DD or an RFC 3339 time"),
                      code="invalid_datetime") from exc


Limit = Annotated[int, QueryParameter(ge=1, le=500)]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]


class FairController(Controller):
    path = "/api/v1/fairs"
    tags = ["fairs"]

    @get("/", summary="Fairs; the public sees published and cancelled ones")
    async def list_fairs(
        self,
        request: Request,
        kind: Annotated[str | None, QueryParameter(max_length=200)] = None,
        industry: Annotated[str | None, QueryParameter(max_length=200)] = None,
        audience: Annotated[str | None, QueryParameter(max_length=200)] = None,
        status: Annotated[str | None, QueryParameter(max_length=200)] = None,
        org: Annotated[str | None, QueryParameter(max_length=200)] = None,
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        from_: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        to: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> dict:
        flt = FairFilter(kind=kind, industry=industry, audience=audience, status=status, org=org,
                         q=q, start=parse_bound(from_, "from", False),
                         end=parse_bound(to, "to", True))
        rows, total = await services.list_fairs(request.scope.get("user"), flt, limit, offset)
        return {"items": [fair_out(r) for r in rows], "total": total}

    @post("/", status_code=HTTP_201_CREATED, guards=[organiser_guard])
    async def create_fair(self, request: Request, data: JSONBody[FairIn]) -> FairOut:
        row = await services.create_fair(require(request), msgspec.structs.asdict(data))
        return fair_out(row)

    @get("/{fair_id:int}")
    async def get_fair(self, request: Request, fair_id: FromPath[int]) -> FairOut:
        return fair_out(await services.get_fair(fair_id, request.scope.get("user")))

    @patch("/{fair_id:int}", guards=[organiser_guard])
    async def update_fair(self, request: Request, fair_id: FromPath[int],
                          data: JSONBody[FairPatch]) -> FairOut:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items()
                   if v is not msgspec.UNSET}
        return fair_out(await services.update_fair(require(request), fair_id, changes))

    @post("/{fair_id:int}/publish", status_code=200, guards=[organiser_guard])
    async def publish(self, request: Request, fair_id: FromPath[int]) -> FairOut:
        return fair_out(await services.publish(require(request), fair_id))

    @post("/{fair_id:int}/cancel", status_code=200, guards=[organiser_guard])
    async def cancel(self, request: Request, fair_id: FromPath[int],
                     data: JSONBody[CancelIn]) -> FairOut:
        return fair_out(await services.cancel(require(request), fair_id, data.reason))

    @delete("/{fair_id:int}", status_code=HTTP_204_NO_CONTENT, guards=[organiser_guard])
    async def delete_fair(self, request: Request, fair_id: FromPath[int]) -> None:
        await services.delete_fair(require(request), fair_id)


ROUTES = [FairController]
