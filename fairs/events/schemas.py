from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Codes = Annotated[list[str], msgspec.Meta(max_length=50)]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
# An id: the database's serial integers (32-bit on PostgreSQL); a larger one names nothing.
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class FairDraft(msgspec.Struct, kw_only=True):
    """A new fair's own fields: what a plan's proposals carry (FairIn adds the rest)."""
    kind: str
    title: Title
    starts_at: datetime
    ends_at: datetime
    venue: Id | None = None
    channel: Id | None = None
    capacity: Capacity | None = None
    industries: Codes = []
    audiences: Codes = []
    description: Annotated[str, msgspec.Meta(max_length=20_000)] = ""


class FairIn(FairDraft, kw_only=True):
    stream_url: Annotated[str, msgspec.Meta(max_length=1000)] = ""
    format: str = "special"
    org: str | None = None
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None


class FairPatch(msgspec.Struct, kw_only=True, omit_defaults=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType = msgspec.UNSET
    venue: Id | None | msgspec.UnsetType = msgspec.UNSET
    channel: Id | None | msgspec.UnsetType = msgspec.UNSET
    stream_url: Annotated[str, msgspec.Meta(max_length=1000)] | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | None | msgspec.UnsetType = msgspec.UNSET
    industries: Codes | msgspec.UnsetType = msgspec.UNSET
    audiences: Codes | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    format: str | msgspec.UnsetType = msgspec.UNSET
    booking_opens_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    booking_closes_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    registration_opens_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    registration_closes_at: datetime | None | msgspec.UnsetType = msgspec.UNSET


class CancelIn(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class FairOut(msgspec.Struct):
    id: int
    kind: str
    title: str
    description: str
    format: str
    starts_at: str
    ends_at: str
    status: str
    org: str
    venue: int | None
    venue_name: str | None
    venue_address: str | None
    channel: int | None
    channel_name: str | None
    stream_url: str
    capacity: int | None
    industries: list[str]
    audiences: list[str]
    registered: int
    checked_in: int
    revision: int
    cancel_reason: str
    booking_opens_at: str | None
    booking_closes_at: str | None
    registration_opens_at: str | None
    registration_closes_at: str | None
    updated_at: str
