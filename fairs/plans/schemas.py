from __future__ import annotations

from datetime import date, time
from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Code, Codes, Ids, Title
from fairs.events.schemas import FairDraft

# A plan's targets: a district plans tens to hundreds of fairs a year; the planner's work grows
# with them (and with the plan's span, at most MAX_PLAN_DAYS in plans.services).
MAX_TARGET = 1000
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_TARGET)]
Minimums = Annotated[dict[Code, Annotated[int, msgspec.Meta(ge=1, le=MAX_TARGET)]],
                     msgspec.Meta(max_length=50)]


class Targets(Bounded, kw_only=True, omit_defaults=True):
    offline: Count | None = None
    online: Count | None = None
    events: Count | None = None
    # Employer-service visits are no fairs to plan: a larger bound (services.MAX_VISITS_TARGET).
    employer_visits: Annotated[int, msgspec.Meta(ge=0, le=100_000)] | None = None


class PlanIn(Bounded, kw_only=True):
    title: Title
    starts_on: date
    ends_on: date
    targets: Targets
    industry_minimums: Minimums = {}
    audience_minimums: Minimums = {}
    org: Code | None = None


class PlanPatch(Bounded, kw_only=True, omit_defaults=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    starts_on: date | msgspec.UnsetType = msgspec.UNSET
    ends_on: date | msgspec.UnsetType = msgspec.UNSET
    targets: Targets | msgspec.UnsetType = msgspec.UNSET
    industry_minimums: Minimums | msgspec.UnsetType = msgspec.UNSET
    audience_minimums: Minimums | msgspec.UnsetType = msgspec.UNSET


class PlanOut(msgspec.Struct):
    id: int
    title: str
    org: str
    starts_on: str
    ends_on: str
    targets: dict[str, int | None]
    industry_minimums: dict[str, int]
    audience_minimums: dict[str, int]
    created_at: str
    updated_at: str


class ProposalIn(Bounded, kw_only=True):
    """The organiser's constraints; every field optional."""

    max_per_day: Annotated[int, msgspec.Meta(ge=1, le=50)] = 2
    blackout: Annotated[list[date], msgspec.Meta(max_length=366)] = []
    weekdays_only: bool = True
    day_starts: time = time(9, 0)
    day_ends: time = time(17, 0)
    online_starts: time = time(14, 0)
    online_ends: time = time(21, 0)
    offline_minutes: Annotated[int, msgspec.Meta(ge=15, le=720)] = 180
    online_minutes: Annotated[int, msgspec.Meta(ge=15, le=720)] = 120
    allow_consecutive: bool = False
    venues: Ids | None = None
    channels: Ids | None = None
    industries: Codes | None = None
    audiences: Codes | None = None


class ProposedFairIn(FairDraft, kw_only=True):
    """A proposal accepted as a draft fair: the same fields and limits as a new fair's."""


class AcceptIn(Bounded, kw_only=True):
    fairs: Annotated[list[ProposedFairIn], msgspec.Meta(min_length=1, max_length=1000)]
