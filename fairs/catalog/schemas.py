from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Code, Name, Url

Address = Annotated[str, msgspec.Meta(max_length=500)]
Capacity = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Rows = Annotated[int, msgspec.Meta(ge=0, le=50)]
PerRow = Annotated[int, msgspec.Meta(ge=0, le=60)]


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
    booth_rows: Rows = 0  # the default booth layout: rows × booths per row (0: none)
    booths_per_row: PerRow = 0


class VenuePatch(Bounded):
    name: Name | None = None
    address: Address | None = None
    capacity: Capacity | None = None
    step_free: bool | None = None
    active: bool | None = None
    booth_rows: Rows | None = None
    booths_per_row: PerRow | None = None


class VenueOut(msgspec.Struct):
    id: int
    name: str
    address: str
    district: str
    capacity: int
    step_free: bool
    active: bool
    booth_rows: int
    booths_per_row: int


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
