from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Id
from fairs.employers.schemas import PositionOut

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
GridInt = Annotated[int, msgspec.Meta(ge=0, le=200)]


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
