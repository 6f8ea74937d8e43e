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
