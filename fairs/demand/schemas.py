"""Requests and answers of the demand slice's API (API.md, Revision 2: "Employer services, needs
and wages")."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Ids, Note

Choice = Annotated[str, msgspec.Meta(max_length=32)]
Money = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
PayUnit = Annotated[str, msgspec.Meta(max_length=8, description="month | day | hour")]
Skills = Annotated[str, msgspec.Meta(max_length=2000)]
OrgCode = Annotated[str, msgspec.Meta(max_length=64)]
Month = Annotated[str, msgspec.Meta(max_length=7, description="YYYY-MM")]
Headcount = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class NeedIn(Bounded, kw_only=True):
    """A need (用工需求). `org` (optional): the organisation it is filed with, by default the
    employer's district (its latest staff report's)."""

    title: Title
    headcount: Headcount
    education: Choice = "any"
    salary_min: Money = 0
    salary_max: Money = 0
    pay_unit: PayUnit = "month"
    job_type: Choice = "regular"  # regular 常规 | traineeship 见习 | practical 实训 | gig 零工
    skilled: bool = False  # 技能型
    skills: Skills = ""
    valid_until: date
    org: OrgCode | None = None


class NeedPatch(Bounded, kw_only=True):
    title: Title | None = None
    headcount: Headcount | None = None
    education: Choice | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    pay_unit: PayUnit | None = None
    job_type: Choice | None = None
    skilled: bool | None = None
    skills: Skills | None = None
    valid_until: date | None = None


class NeedCreated(msgspec.Struct):
    id: int
    status: str


class NeedOut(msgspec.Struct, kw_only=True):
    id: int
    employer: int
    employer_name: str
    industry: str
    org: str
    title: str
    headcount: int
    education: str
    skills: str
    skilled: bool
    salary_min: int
    salary_max: int
    pay_unit: str
    monthly_pay: int | None  # the offered pay a month (fairs.pay.offered_monthly)
    job_type: str
    valid_until: str
    status: str  # draft | published | rejected | withdrawn
    reject_reason: str
    created_at: str
    published_at: str | None


class PublicNeedOut(msgspec.Struct, kw_only=True):
    """A need as the public catalogue lists it."""

    id: int
    employer: int
    employer_name: str
    industry: str
    org: str
    title: str
    headcount: int
    education: str
    skills: str
    skilled: bool
    salary_min: int
    salary_max: int
    pay_unit: str
    monthly_pay: int | None
    job_type: str
    valid_until: str
    published_at: str | None


class RejectIn(Bounded):
    reason: Annotated[Note, msgspec.Meta(min_length=1)]


class StaffIn(Bounded, kw_only=True):
    """The employer's staff count (在职职工人数) for a month (this one by default), and
    optionally the organisation (district) it reports to."""

    staff: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
    month: Month | None = None
    org: OrgCode | None = None


class StaffOut(msgspec.Struct):
    employer: int
    month: str
    staff: int
    org: str


class FromNeedsIn(Bounded):
    """Needs of the booking's employer to copy into its positions (all or none)."""

    needs: Annotated[Ids, msgspec.Meta(min_length=1)]
