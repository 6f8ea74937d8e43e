from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Code, Codes, Description, Id, Title, Url

Capacity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class FairDraft(Bounded, kw_only=True):
    """A new fair's own fields: what a plan's proposals carry (FairIn adds the rest)."""
    kind: Code
    title: Title
    starts_at: datetime
    ends_at: datetime
    venue: Id | None = None
    channel: Id | None = None
    capacity: Capacity | None = None
    industries: Codes = []
    audiences: Codes = []
    description: Description = ""


class FairIn(FairDraft, kw_only=True):
    stream_url: Url = ""
    format: Code = "special"
    org: Code | None = None
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None


class FairPatch(Bounded, kw_only=True, omit_defaults=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    starts_at: datetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: datetime | msgspec.UnsetType = msgspec.UNSET
    venue: Id | None | msgspec.UnsetType = msgspec.UNSET
    channel: Id | None | msgspec.UnsetType = msgspec.UNSET
    stream_url: Url | msgspec.UnsetType = msgspec.UNSET
    capacity: Capacity | None | msgspec.UnsetType = msgspec.UNSET
    industries: Codes | msgspec.UnsetType = msgspec.UNSET
    audiences: Codes | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    format: Code | msgspec.UnsetType = msgspec.UNSET
    booking_opens_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    booking_closes_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    registration_opens_at: datetime | None | msgspec.UnsetType = msgspec.UNSET
    registration_closes_at: datetime | None | msgspec.UnsetType = msgspec.UNSET


class CancelIn(Bounded):
    reason: Reason


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
