from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Description, Id, Note

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
GridInt = Annotated[int, msgspec.Meta(ge=0, le=200)]
Choice = Annotated[str, msgspec.Meta(max_length=32)]


class BoothIn(Bounded, kw_only=True):
    code: Code
    zone: Annotated[str, msgspec.Meta(max_length=32)] = ""
    x: GridInt | None = None
    y: GridInt | None = None
    w: Annotated[int, msgspec.Meta(ge=1, le=200)] = 1
    h: Annotated[int, msgspec.Meta(ge=1, le=200)] = 1
    step_free: bool = False
    blocked: bool = False


class LayoutIn(Bounded):
    booths: Annotated[list[BoothIn], msgspec.Meta(max_length=2000)]


class CopyLayoutIn(Bounded):
    from_fair: Id = msgspec.field(name="from")


class BoothOut(msgspec.Struct, kw_only=True):
    code: str
    zone: str
    status: str  # free | booked | blocked
    x: int
    y: int
    w: int
    h: int
    step_free: bool
    employer_name: str | None = None


class BookingIn(Bounded):
    """`{"booth": "A01"}` for that booth, `{"booth": null}` for any free one (or the waitlist)."""

    booth: Annotated[str, msgspec.Meta(max_length=16)] | None = None


class BookingOut(msgspec.Struct, kw_only=True):
    id: int
    fair: int
    employer: int
    status: str  # confirmed | waitlisted | cancelled
    booth: str | None
    code: str | None  # the booking's QR text (confirmed bookings)
    place: int | None = None  # place on the waitlist
    fair_title: str = ""
    employer_name: str = ""
    created_at: str | None = None
    checked_in_at: str | None = None


class SlotIn(Bounded, kw_only=True):
    starts_at: datetime
    ends_at: datetime
    label: Annotated[str, msgspec.Meta(max_length=200)] = ""


class SlotsIn(Bounded):
    slots: Annotated[list[SlotIn], msgspec.Meta(min_length=1, max_length=200)]


class SlotOut(msgspec.Struct, kw_only=True):
    id: int
    fair: int
    starts_at: str
    ends_at: str
    label: str
    status: str  # free | booked
    employer_name: str | None = None
    topic: str | None = None


class SlotBookingIn(Bounded):
    topic: Annotated[str, msgspec.Meta(max_length=300)] = ""


class SlotBookingOut(msgspec.Struct, kw_only=True):
    id: int
    slot: int
    fair: int
    employer: int
    status: str
    starts_at: str
    ends_at: str
    label: str
    topic: str
    fair_title: str = ""
    employer_name: str = ""


Money = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class PositionIn(Bounded, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    headcount: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    education: Choice = "any"
    experience: Choice = "any"
    salary_min: Money = 0
    salary_max: Money = 0
    job_type: Choice = "regular"  # regular 常规 | traineeship 见习 | practical 实训 | gig 零工
    major: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    description: Description | None = None


class PositionPatch(Bounded, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    headcount: Annotated[int, msgspec.Meta(ge=1, le=100_000)] | None = None
    education: Choice | None = None
    experience: Choice | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    job_type: Choice | None = None
    major: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    description: Description | None = None


class PositionOut(msgspec.Struct, kw_only=True):
    id: int
    fair: int
    employer: int
    employer_name: str
    booking: int | None
    slot_booking: int | None
    booth: str | None
    title: str
    headcount: int
    education: str
    experience: str
    salary_min: int
    salary_max: int
    major: str
    job_type: str
    description: str


class NoteIn(Bounded):
    note: Note = ""


class NoShowOut(msgspec.Struct, kw_only=True):
    id: int
    employer: int
    employer_name: str
    fair: int
    fair_title: str
    booking: int | None
    booth: str | None
    reason: str  # absent | late_cancel
    occurred_at: str
    annulled: bool
    annulled_at: str | None
    note: str


Days = Annotated[int, msgspec.Meta(ge=0, le=3650)]


class RulesIn(Bounded, kw_only=True):
    free_cancel_workdays: Annotated[int, msgspec.Meta(ge=0, le=30)] | None = None
    no_show_limit: Annotated[int, msgspec.Meta(ge=1, le=100)] | None = None
    window_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
    suspension_days: Days | None = None


class RulesOut(msgspec.Struct):
    free_cancel_workdays: int
    no_show_limit: int
    window_days: int
    suspension_days: int


# --- posters and attendees' interest in positions --------------------------------------------


class InterestIn(Bounded):
    """The attendee's ticket secret (or the ticket's address, which carries it): the credential.
    The door code, which door staff and employers see, does not mark or withdraw interest."""

    secret: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class InterestOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    title: str
    fair: int
    employer: int
    created_at: str
    created: bool  # False when this ticket had already marked this position


class TicketInterestOut(msgspec.Struct, kw_only=True):
    id: int
    position: int
    title: str
    fair: int
    employer: int
    employer_name: str
    booth: str | None
    url: str  # the employer's page at the fair
    created_at: str


class InterestedOut(msgspec.Struct, kw_only=True):
    """One job seeker interested in one of the employer's positions; name and phone masked."""

    id: int
    fair: int
    fair_title: str
    position: int
    title: str
    name: str
    phone: str
    created_at: str


class EmployerAtFairOut(msgspec.Struct, kw_only=True):
    fair: int
    employer: int
    name: str
    industry: str
    kind: str  # booth | slot
    booth: str | None
    starts_at: str | None  # the guest slot's times (online fairs)
    ends_at: str | None
    url: str
    poster_qr: str  # the QR's text: the absolute address of this page
    positions: list[PositionOut]
