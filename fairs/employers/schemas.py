from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.accounts.schemas import Password, Username
from fairs.bounds import Bounded

Short = Annotated[str, msgspec.Meta(max_length=300)]


class EmployerIn(msgspec.Struct, kw_only=True):
    """Self-registration: the company and its first staff login."""

    name: Short
    uscc: Annotated[str, msgspec.Meta(max_length=40)]
    industry: Annotated[str, msgspec.Meta(max_length=64)]
    contact_name: Annotated[str, msgspec.Meta(max_length=100)]
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)]
    username: Username
    password: Password


class EmployerCreated(msgspec.Struct):
    id: int
    status: str


class StatusOut(msgspec.Struct):
    id: int
    status: str


class RejectIn(Bounded):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class StaffIn(Bounded, kw_only=True):
    username: Username
    password: Password
    display_name: Annotated[str, msgspec.Meta(max_length=200)] = ""


class StaffOut(msgspec.Struct):
    id: int
    username: str


class EmployerOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    uscc: str
    industry: str
    contact_name: str
    contact_phone: str  # masked: 138****5678
    status: str
    reject_reason: str
    created_at: str
    decided_at: str | None = None
