from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.accounts.schemas import Password, Username
from fairs.bounds import Bounded, Description, Note

Short = Annotated[str, msgspec.Meta(max_length=300)]


class EmployerIn(msgspec.Struct, kw_only=True):
    """Self-registration: the company and its first staff login."""

    name: Short
    uscc: Annotated[str, msgspec.Meta(max_length=40)]
    industry: Annotated[str, msgspec.Meta(max_length=64)]
    contact_name: Annotated[str, msgspec.Meta(max_length=100)]
    contact_phone: Annotated[str, msgspec.Meta(max_length=40)]
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None  # for notices
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


# --- positions, the no-show ledger and the booking rules --------------------------------------

Choice = Annotated[str, msgspec.Meta(max_length=32)]
Money = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
# The unit salary_min and salary_max are counted in: month (the default), day or hour
# (月, 天, 小时 are taken too).
PayUnit = Annotated[str, msgspec.Meta(max_length=8, description="month | day | hour")]


class PositionIn(Bounded, kw_only=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    headcount: Annotated[int, msgspec.Meta(ge=1, le=100_000)]
    education: Choice = "any"
    experience: Choice = "any"
    salary_min: Money = 0
    salary_max: Money = 0
    pay_unit: PayUnit = "month"
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
    pay_unit: PayUnit | None = None
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
    pay_unit: str  # month | day | hour: what salary_min and salary_max are counted in
    major: str
    job_type: str
    description: str


def position_out(row: dict) -> PositionOut:
    return PositionOut(**{f: row[f] for f in PositionOut.__struct_fields__})


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
