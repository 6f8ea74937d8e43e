"""A plan's proposal through the plans service (no HTTP): the gap its targets leave after the
fairs already scheduled, met by the planner, around the organisation's existing fairs."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from fairs import clock, cn_calendar
from fairs.plans import proposals as plans
from tests import factories

NOW = datetime(2026, 9, 20, 2, tzinfo=UTC)  # 10:00 in Qingdao, a Sunday before National Day


async def test_a_plans_gap_is_proposed_around_existing_fairs(organiser, world):
    with clock.frozen(NOW):
        plan = await factories.plan(organiser, starts_on=date(2026, 9, 21),
                                    ends_on=date(2026, 10, 16),
                                    targets={"offline": 3, "online": 2})
        existing = await factories.fair(organiser, world, starts_at=factories.at(2),
                                        minutes=180, plan_id=plan["id"])
        answer = await plans.propose(organiser, plan["id"], plans.Constraints())
    assert answer["wanted"] == {"offline": 2, "online": 2, "any": 0}
    assert answer["meets_targets"] and "shortfall" not in answer
    assert Counter(f["kind"] for f in answer["fairs"]) == {"offline": 2, "online": 2}
    existing_day = factories.aware(existing["starts_at"]).date()
    for f in answer["fairs"]:
        day = datetime.fromisoformat(f["starts_at"]).date()
        assert date(2026, 9, 21) <= day <= date(2026, 10, 16)
        assert cn_calendar.day(day).workday and not cn_calendar.day(day).holiday
        if f["venue"] == existing["venue"]:
            assert abs((day - existing_day).days) > 1  # the venue rests between fairs


async def test_a_plan_too_big_for_its_days_reports_the_shortfall(organiser, world):
    with clock.frozen(NOW):
        plan = await factories.plan(organiser, starts_on=date(2026, 9, 28),
                                    ends_on=date(2026, 9, 29), targets={"online": 9})
        answer = await plans.propose(organiser, plan["id"],
                                     plans.Constraints(max_per_day=2))
    assert not answer["meets_targets"]
    short = answer["shortfall"]["online"]
    assert short["wanted"] == 9 and short["proposed"] == len(answer["fairs"]) == 4
    assert short["missing"] == 5
    assert short["reasons"][0]["code"] == "max_per_day"
