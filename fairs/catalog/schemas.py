from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Code, Name, Url

Address = Annotated[str, msgspec.Meta(max_length=500)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class IndustryOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str
    group: str


class AudienceOut(msgspec.Struct):
    code: str
    name_zh: str
    name_en: str


class VenueIn(Bounded):
    name: Name
    address: Address = ""
    district: Code | None = None
    capacity: Capacity = 0
    step_free: bool = False


class VenuePatch(Bounded):
    name: Name | None = None
    address: Address | None = None
    capacity: Capacity | None = None
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


class ChannelIn(Bounded):
    name: Name
    url: Url = ""
    district: Code | None = None


class ChannelPatch(Bounded):
    name: Name | None = None
    url: Url | None = None
    active: bool | None = None


class ChannelOut(msgspec.Struct):
    id: int
    name: str
    url: str
    district: str
    active: bool
