from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Code

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Phone = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Codes = Annotated[list[Code], msgspec.Meta(max_length=20)]


class RegistrationIn(Bounded, kw_only=True):
    name: Name
    phone: Phone
    audiences: Codes = []


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
