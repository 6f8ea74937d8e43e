"""Requests and answers of the outreach API (API.md Revision 2, "Employer services").

The kinds, topics, notes and days are bounded twice: here loosely (lengths and list sizes
that keep a body small) and by the service exactly, which answers a 422 naming the field (an
unknown kind or topic, more topics than the catalogue has, notes over 2,000 characters, a day
outside 2000-01-01..2100-12-31 or after today)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from fairs.bounds import Code, Codes, Description, Id

StaffNames = Annotated[str, msgspec.Meta(max_length=200)]


class ServiceIn(msgspec.Struct, kw_only=True):
    """A service given to the employer: `kind` visit | phone | symposium | policy | other
    (实地走访、电话联系、集中座谈、政策帮办、其他), `on` the day it was given (not after today),
    `topics` codes of recruiting | training | social_insurance | subsidies | labour_relations |
    other, `follow_up_on` when to follow up (not before `on`)."""

    kind: Code
    on: date
    topics: Codes = []
    notes: Description = ""
    staff_names: StaffNames = ""
    follow_up_on: date | None = None


class ServicePatch(msgspec.Struct, kw_only=True, omit_defaults=True):
    kind: Code | msgspec.UnsetType = msgspec.UNSET
    on: date | msgspec.UnsetType = msgspec.UNSET
    topics: Codes | msgspec.UnsetType = msgspec.UNSET
    notes: Description | msgspec.UnsetType = msgspec.UNSET
    staff_names: StaffNames | msgspec.UnsetType = msgspec.UNSET
    follow_up_on: date | None | msgspec.UnsetType = msgspec.UNSET


class Staff(msgspec.Struct):
    id: int
    name: str


class FairRef(msgspec.Struct):
    id: int
    title: str
    kind: str


class ServiceOut(msgspec.Struct, kw_only=True):
    """A service: `source` "recorded" (by an organiser: `id`, `staff`, editable) or "fair"
    (the employer's attendance at a held fair, recorded by itself: `id` null, `kind` "fair",
    `fair` the fair)."""

    id: int | None
    employer: int
    kind: str
    on: str
    topics: list[str]
    notes: str
    staff_names: str
    staff: Staff | None
    follow_up_on: str | None
    org: str
    source: str
    fair: FairRef | None = None
    created_at: str | None = None
    updated_at: str | None = None


class OfficerIn(msgspec.Struct, kw_only=True):
    user: Id


class OfficerOut(msgspec.Struct, kw_only=True):
    user: int
    username: str
    name: str
    org: str | None = None
    assigned_at: str | None = None


class FollowUpOut(msgspec.Struct, kw_only=True):
    service: int
    kind: str
    on: str
    follow_up_on: str
    overdue: bool


class MyEmployerOut(msgspec.Struct, kw_only=True):
    employer: int
    name: str
    industry: str
    last_contact: str | None
    follow_ups: list[FollowUpOut]
    overdue: int


class UncontactedOut(msgspec.Struct, kw_only=True):
    employer: int
    name: str
    industry: str
    status: str
    last_contact: str | None
