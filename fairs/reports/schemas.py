from __future__ import annotations

from typing import Annotated

import msgspec

from fairs.bounds import Bounded, Id


class IntentionIn(Bounded, kw_only=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    position: Id


class IntentionOut(msgspec.Struct, kw_only=True):
    id: int
    fair: int
    position: Id
    position_title: str
    employer: int
    created_at: str
    created: bool


class MeasuresOut(msgspec.Struct, kw_only=True):
    """The official measures over the held fairs in the filter (API.md)."""

    events_held: int
    employers_present: int
    positions: int
    admissions: int
    walk_ins: int
    intentions: int
    online_views: int
    employer_visits: int
    hires: int  # intentions whose follow-up says hired


class FunnelRate(msgspec.Struct, kw_only=True):
    of_previous: float | None  # this step / the step before (None: nothing before)
    of_registered: float | None  # this step / registered


class FunnelRow(msgspec.Struct, kw_only=True):
    """One row of the funnel: counts ("<5" for a suppressed audience cell) and rates."""

    key: str
    name_zh: str
    name_en: str
    registered: int | str
    admitted: int | str
    interested: int | str
    intentions: int | str
    hires: int | str
    rates: dict[str, FunnelRate]


class FunnelOut(msgspec.Struct, kw_only=True):
    by: str
    steps: list[str]
    items: list[FunnelRow]
    totals: FunnelRow
