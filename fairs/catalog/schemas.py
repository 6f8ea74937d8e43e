from __future__ import annotations

from typing import Annotated

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class IndustryOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    group: str


class AudienceOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str


class VenueIn(msgspec.Struct):
    name: Name
    address: Annotated[str, msgspec.Meta(max_length=500)] = ""
    district: str | None = None
    capacity: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] = 0
    step_free: bool = False


class VenuePatch(msgspec.Struct):
    name: Name | None = None
    address: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    capacity: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | None = None
    step_free: bool | None = None
    active: bool | None = None


class VenueOut(msgspec.Struct):
    id: int
    name: str
    address: str
    district: str
    capacity: int
    step_free: bool
    active: bool


class ChannelIn(msgspec.Struct):
    name: Name
    url: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    district: str | None = None


class ChannelPatch(msgspec.Struct):
    name: Name | None = None
    url: Annotated[str, msgspec.Meta(max_length=1000)] | None = None
    active: bool | None = None


class ChannelOut(msgspec.Struct):
    id: int
    name: str
    url: str
    district: str
    active: bool
