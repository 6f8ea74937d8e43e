from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec

from fairs.bounds import Bounded
from fairs.bounds import Code as ShortCode

Code = Annotated[str, msgspec.Meta(max_length=200)]
Nonce = Annotated[str, msgspec.Meta(max_length=64)]
Device = Annotated[str, msgspec.Meta(max_length=100)]


class ScanIn(Bounded, kw_only=True):
    code: Code
    nonce: Nonce | None = None
    scanned_at: datetime | None = None
    device: Device | None = None
    offline: bool = False


class BatchScanIn(Bounded, kw_only=True):
    code: Code
    nonce: Nonce | None = None
    scanned_at: datetime | None = None
    device: Device | None = None
    offline: bool = True


class BatchIn(Bounded):
    scans: Annotated[list[BatchScanIn], msgspec.Meta(max_length=500)]


class Counts(msgspec.Struct):
    registered: int
    checked_in: int


class ScanOut(msgspec.Struct, omit_defaults=True):
    result: str
    explanation: str
    counts: Counts
    attendee: dict[str, Any] | None = None
    employer: dict[str, Any] | None = None
    checked_in_at: str | None = None
    conflict: bool = False
    replayed: bool = False


class BatchOut(msgspec.Struct):
    results: list[ScanOut]
    conflicts: int


class WalkInIn(Bounded, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    phone: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    audiences: Annotated[list[ShortCode], msgspec.Meta(max_length=20)] = []
    device: Device | None = None


class WalkInOut(msgspec.Struct, omit_defaults=True):
    result: str
    explanation: str
    counts: Counts
    walk_in: bool
    attendee: dict[str, Any] | None = None
    checked_in_at: str | None = None


class SelfCheckInIn(Bounded, kw_only=True):
    token: Annotated[str, msgspec.Meta(max_length=100)]
    code: Code | None = None
    name: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32)] | None = None


class SelfCheckInOut(msgspec.Struct, omit_defaults=True):
    result: str
    explanation: str
    counts: Counts
    attendee: dict[str, Any] | None = None
    checked_in_at: str | None = None
    code: str | None = None


class SelfCodeOut(msgspec.Struct):
    url: str
    token: str
    expires_at: str
    svg: str


class AttendanceOut(msgspec.Struct):
    registered: int
    checked_in: int
    walk_ins: int
    employers_present: int
    online_viewers: int
    online_peak: int


class WindowIn(Bounded, kw_only=True):
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class WindowOut(msgspec.Struct):
    opens_at: str
    closes_at: str
    custom: bool


class OnlineSessionIn(Bounded, kw_only=True):
    label: Annotated[str, msgspec.Meta(max_length=200)] = ""
    peak_viewers: Annotated[int, msgspec.Meta(ge=0, le=100_000_000)] = 0
    total_views: Annotated[int, msgspec.Meta(ge=0, le=1_000_000_000)] = 0
    starts_at: datetime | None = None


class OnlineSessionOut(msgspec.Struct):
    id: int
    label: str
    peak_viewers: int
    total_views: int
    starts_at: str | None
    source: str


class OnlineImportIn(Bounded):
    csv: Annotated[str, msgspec.Meta(max_length=2_000_000)]
