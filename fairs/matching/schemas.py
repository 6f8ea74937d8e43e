"""Answers of the matching API (the request, a profile, is fairs.tickets.schemas.ProfileIn: the
registration takes it too)."""

from __future__ import annotations

import msgspec


class ProfileOut(msgspec.Struct, kw_only=True):
    industries: list[str]
    education: str
    job_types: list[str]
    expected_pay: int | None
    consent_contact: bool
    major: str
    districts: list[str]
    consented_at: str | None
    updated_at: str | None


class SlotOut(msgspec.Struct, kw_only=True):
    """A livestream guest slot where the position is presented."""

    id: int
    starts_at: str | None
    ends_at: str | None
    label: str


class MatchOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A position for the holder: `score` (0-100) is the sum of `parts` (industry 30,
    education 20, job_type 20, pay 20, district 10; fairs/matching/score.py), `reasons` the
    parts that scored in full, `fits` whether it counts as a fit (60 points or more, education
    fitting); `booth` (offline fairs) or `slot` (online fairs) says where to find it."""

    position: int
    title: str
    employer: int
    employer_name: str
    score: int
    parts: dict[str, int]
    reasons: list[str]
    fits: bool
    interested: bool
    booth: str | None = None
    zone: str | None = None
    slot: SlotOut | None = None
    url: str = ""


class MatchesOut(msgspec.Struct, kw_only=True):
    items: list[MatchOut]
    total: int
    profile: bool  # false: no profile yet (items empty); PUT .../profile to give one


class DemandOut(msgspec.Struct, kw_only=True):
    """One of the employer's positions at a fair: `profiles` of the fair's registrants, of
    which `fits` suit it; `interested` job seekers marked it, `contactable` of them agreed to
    be contacted (GET /api/v1/me/seekers lists those)."""

    position: int
    title: str
    fair: int
    fair_title: str
    profiles: int
    fits: int
    interested: int
    contactable: int


class SeekerOut(msgspec.Struct, kw_only=True):
    """A job seeker who marked one of the employer's positions and agreed to be contacted."""

    id: int
    fair: int
    fair_title: str
    position: int
    title: str
    name: str
    phone: str
    industries: list[str]
    job_types: list[str]
    education: str
    major: str
    expected_pay: int | None
    score: int
    reasons: list[str]
    created_at: str | None
