"""/api/v1/catalog/...: industries, audiences, venues, channels."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from fairs.accounts.auth import organiser_guard, require

from . import services
from .schemas import (
    AudienceOut,
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    IndustryOut,
    VenueIn,
    VenueOut,
    VenuePatch,
)


def _venue(row: dict) -> VenueOut:
    return VenueOut(**{k: row[k] for k in VenueOut.__struct_fields__})


def _channel(row: dict) -> ChannelOut:
    return ChannelOut(**{k: row[k] for k in ChannelOut.__struct_fields__})


class CatalogController(Controller):
    path = "/api/v1/catalog"
    tags = ["catalogue"]

    @get("/industries", summary='The "5+5+7" key industries')
    async def industries(self) -> dict:
        items = [IndustryOut(**r) for r in await services.industries()]
        return {"items": items, "total": len(items)}

    @get("/audiences", summary="Target groups")
    async def audiences(self) -> dict:
        items = [AudienceOut(**r) for r in await services.audiences()]
        return {"items": items, "total": len(items)}

    @get("/venues")
    async def venues(self) -> dict:
        items = [_venue(r) for r in await services.venues()]
        return {"items": items, "total": len(items)}

    @post("/venues", status_code=HTTP_201_CREATED, guards=[organiser_guard])
    async def create_venue(self, request: Request, data: JSONBody[VenueIn]) -> VenueOut:
        row = await services.create_venue(require(request), **msgspec.structs.asdict(data))
        return _venue(row)

    @get("/venues/{venue_id:int}")
    async def venue(self, venue_id: FromPath[int]) -> VenueOut:
        return _venue(await services.venue(venue_id))

    @patch("/venues/{venue_id:int}", guards=[organiser_guard])
    async def update_venue(self, request: Request, venue_id: FromPath[int],
                           data: JSONBody[VenuePatch]) -> VenueOut:
        changes = msgspec.structs.asdict(data)
        return _venue(await services.update_venue(require(request), venue_id, changes))

    @get("/channels")
    async def channels(self) -> dict:
        items = [_channel(r) for r in await services.channels()]
        return {"items": items, "total": len(items)}

    @post("/channels", status_code=HTTP_201_CREATED, guards=[organiser_guard])
    async def create_channel(self, request: Request, data: JSONBody[ChannelIn]) -> ChannelOut:
        row = await services.create_channel(require(request), **msgspec.structs.asdict(data))
        return _channel(row)

    @get("/channels/{channel_id:int}")
    async def channel(self, channel_id: FromPath[int]) -> ChannelOut:
        return _channel(await services.channel(channel_id))

    @patch("/channels/{channel_id:int}", guards=[organiser_guard])
    async def update_channel(self, request: Request, channel_id: FromPath[int],
                             data: JSONBody[ChannelPatch]) -> ChannelOut:
        changes = msgspec.structs.asdict(data)
        return _channel(await services.update_channel(require(request), channel_id, changes))


ROUTES = [CatalogController]
