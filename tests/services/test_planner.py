"""The planner (fairs.plans.planner.propose), pure: plain inputs, what its rules promise.

Targets met, or the shortfall reported with its reason; holidays, weekends and blackout days
avoided; at most max_per_day fairs a day, counting the organisation's existing fairs; a place
never double-booked. (tests/plans/test_planner.py holds the property tests against an oracle.)
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from fairs import cn_calendar
from fairs.plans import planner
from fairs.plans.planner import Busy, Place, Request, Rules

TZ = planner.SHANGHAI
VENUES = (Place("offline", 1, "人力资源市场"), Place("offline", 2, "人才服务中心"))
CHANNELS = (Place("online", 11, "职海冲浪"),)
# Around National Day 2026: 1-7 October are holidays, Saturday 10 October a make-up working day.
START, END = date(2026, 9, 28), date(2026, 10, 16)


def request(need: dict[str, int], *, places=VENUES + CHANNELS, rules: Rules | None = None,
            starts_on: date = START, ends_on: date = END, **kw) -> Request:
    return Request(starts_on=starts_on, ends_on=ends_on, need=need, places=places,
                   rules=rules or Rules(), **kw)


def days_of(proposal) -> Counter:
    return Counter(f.starts_at.astimezone(TZ).date() for f in proposal.fairs)


def test_targets_met_inside_the_plan_and_the_hours():
    proposal = planner.propose(request({"offline": 4, "online": 3}))
    assert proposal.meets_targets and proposal.shortfall == {}
    assert Counter(f.kind for f in proposal.fairs) == {"offline": 4, "online": 3}
    rules = Rules()
    for f in proposal.fairs:
        start, end = f.starts_at.astimezone(TZ), f.ends_at.astimezone(TZ)
        assert START <= start.date() <= END
        first, last = planner.hours(rules, f.kind)  # opening hours, or livestream hours
        assert first <= start.time() and end.time() <= last
        minutes = rules.offline_minutes if f.kind == "offline" else rules.online_minutes
        assert end - start == timedelta(minutes=minutes)
        assert f.place_id in {p.id for p in VENUES + CHANNELS if p.kind == f.kind}


def test_holidays_and_weekends_are_avoided_make_up_days_used():
    proposal = planner.propose(request({"offline": 2, "online": 8}))
    for d in days_of(proposal):
        info = cn_calendar.day(d)
        assert not info.holiday and info.workday, d
    assert proposal.excluded["holiday"] == 7
    assert (date(2026, 10, 1), "National Day") in proposal.holidays
    # The make-up Saturday is a working day: usable; the plain weekends are not.
    usable, excluded, _years, _holidays = planner.usable_days(request({"offline": 1}))
    assert date(2026, 10, 10) in usable and date(2026, 10, 11) not in usable
    assert excluded["weekend"] > 0


def test_blackout_days_are_avoided():
    blackout = frozenset(START + timedelta(days=i) for i in range(3))  # 28-30 September
    proposal = planner.propose(request({"offline": 2, "online": 2},
                                       rules=Rules(blackout=blackout)))
    assert proposal.meets_targets
    assert not set(days_of(proposal)) & blackout
    assert proposal.excluded["blackout"] == 3


def test_max_per_day_counts_existing_fairs():
    # Four working days (28-30 Sep, 8 Oct); 9 Oct already holds two of the organisation's fairs.
    load = {date(2026, 10, 9): 2, date(2026, 9, 29): 1}
    proposal = planner.propose(request({"online": 6}, ends_on=date(2026, 10, 9),
                                       rules=Rules(max_per_day=2), day_load=load))
    per_day = days_of(proposal)
    assert all(per_day[d] + load.get(d, 0) <= 2 for d in per_day), per_day
    # Capacity: 28 and 30 Sep and 8 Oct give two each, 29 Sep one, 9 Oct none = 7 >= 6.
    assert proposal.meets_targets and sum(per_day.values()) == 6
    assert date(2026, 10, 9) not in per_day


def test_a_shortfall_names_its_reason():
    proposal = planner.propose(request({"online": 5}, ends_on=date(2026, 9, 29),
                                       rules=Rules(max_per_day=1)))
    assert not proposal.meets_targets
    short = proposal.shortfall["online"]
    assert short["wanted"] == 5 and short["proposed"] == 2 and short["missing"] == 3
    assert short["reasons"][0]["code"] == "max_per_day"
    assert short["reasons"][0]["capacity"] == 2


def test_no_usable_days_and_no_places_are_reported():
    holiday_only = planner.propose(request({"offline": 1}, starts_on=date(2026, 10, 1),
                                           ends_on=date(2026, 10, 7)))
    assert holiday_only.fairs == [] and not holiday_only.meets_targets
    assert holiday_only.shortfall["offline"]["reasons"][0]["code"] == "no_days"
    no_channel = planner.propose(request({"online": 1}, places=VENUES))
    assert no_channel.shortfall["online"]["reasons"][0]["code"] == "no_channels"


def test_a_place_is_never_double_booked_and_venues_rest():
    busy = (Busy("offline", 1, datetime.combine(date(2026, 9, 28), time(9), TZ),
                 datetime.combine(date(2026, 9, 28), time(17), TZ)),)
    proposal = planner.propose(request({"offline": 4}, busy=busy))
    assert proposal.meets_targets
    by_venue: dict[int, list[date]] = {}
    for f in proposal.fairs:
        by_venue.setdefault(f.place_id, []).append(f.starts_at.astimezone(TZ).date())
    assert date(2026, 9, 28) not in by_venue.get(1, [])
    for days in by_venue.values():  # one a day, never two days running
        days.sort()
        assert len(set(days)) == len(days)
        assert all((b - a).days > 1 for a, b in zip(days, days[1:], strict=False))


def test_deterministic_and_themes_first_by_minimum():
    req = request({"offline": 3}, industries=("software", "logistics"),
                  industry_minimums={"automotive": 2})
    first, second = planner.propose(req), planner.propose(req)
    assert first == second
    given = Counter(code for f in first.fairs for code in f.industries)
    assert given["automotive"] >= 2 and given["software"] >= 1 and given["logistics"] >= 1
    assert first.uncovered_industries == []
