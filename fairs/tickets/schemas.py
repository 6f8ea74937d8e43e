from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Code

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Phone = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Codes = Annotated[list[Code], msgspec.Meta(max_length=20)]


# A job seeker's optional profile (API.md, Revision 2, "Job seekers: matching"): kept and
# checked by the matching slice (fairs.hooks.registration_profile; PUT
# /api/v1/tickets/{secret}/profile takes the same). Bounded loosely here (a 400 beyond that);
# the service's own limits are 422s naming the field: at most 5 industries, 4 job types and 5
# districts, known codes, a major of at most 50 characters, expected pay 500 to 1,000,000 yuan
# a month.
Pay = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]


class ProfileIn(Bounded, kw_only=True):
    """What a job seeker looks for. Giving it is consent to keep it, with the registration, to
    rank the fair's positions for them and to tell employers how many registrants their
    positions fit (a client shows the purpose and the retention first, as the registration
    form does); `consent_contact`: employers whose positions they mark may see their name and
    number."""

    industries: Codes  # industry codes of the catalogue
    education: Annotated[str, msgspec.Meta(max_length=32)]  # junior ... doctor
    job_types: Codes  # regular | traineeship | practical | gig
    expected_pay: Pay | None = None  # yuan a month
    consent_contact: bool = False
    major: ShortText = ""
    districts: Codes = []  # organisation codes (districts, areas)


class RegistrationIn(Bounded, kw_only=True):
    name: Name
    phone: Phone
    audiences: Codes = []
    profile: ProfileIn | None = None


class TicketLinks(msgspec.Struct):
    code: str
    secret: str
    url: str
    qr_svg: str
    qr_png: str
    ics: str


class RegistrationOut(msgspec.Struct):
    ticket: TicketLinks


class TicketOut(msgspec.Struct):
    code: str
    fair: int
    name: str
    status: str
    audiences: list[str]
    url: str
    qr_svg: str
    qr_png: str
    ics: str


class MaskedRegistration(msgspec.Struct):
    id: int
    name: str
    phone: str
    status: str
    checked_in_at: str | None


class RegistrationRow(msgspec.Struct):
    id: int
    name: str
    phone: str
    status: str
    source: str
    audiences: list[str]
    created_at: str


class FoundAdmitIn(msgspec.Struct, kw_only=True):
    """Door staff admit a registration the phone look-up found: its id and the same 4 digits."""
    last4: Annotated[str, msgspec.Meta(min_length=4, max_length=4)]
    nonce: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    device: Annotated[str, msgspec.Meta(max_length=100)] | None = None
