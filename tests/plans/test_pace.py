"""A plan's pace (fairs.plans.progress.pace_status): the one rule behind the plan list's badge,
the dashboard's and the API's `status`, at its edges; and the list as an organiser reads it."""

from __future__ import annotations

import re
from datetime import date

from fairs.plans.progress import pace_status
from tests.conftest import login_as
from tests.plans.test_api import day, make_fair, plan_body

START, END = date(2027, 1, 1), date(2027, 12, 31)  # 365 days


def pace(today: date, *goals: tuple[int | None, int, int]) -> str:
    return pace_status(goals, START, END, today)


def test_before_the_first_day_a_plan_has_not_started_whatever_it_holds():
    assert pace(date(2026, 12, 31), (10, 0, 0)) == "not_started"
    assert pace(date(2026, 6, 1), (10, 0, 10)) == "not_started"
    assert pace(date(2026, 6, 1)) == "not_started"


def test_on_the_first_day_nothing_is_due_yet():
    assert pace(START, (10, 0, 0), (30, 0, 0)) == "on_track"
    # A fair held on the first day already is ahead of an even pace of ten a year.
    assert pace(START, (10, 1, 1)) == "ahead"


def test_during_the_period_held_fairs_are_measured_against_the_even_pace():
    mid = date(2027, 7, 3)  # 183 full days elapsed: 5.01 of 10 due
    assert pace(mid, (10, 4, 4)) == "behind"
    assert pace(mid, (10, 5, 5)) == "on_track"
    assert pace(mid, (10, 6, 6)) == "on_track"  # within a tenth of the target
    assert pace(mid, (10, 4, 10)) == "on_track"  # behind the pace, but the rest is scheduled
    assert pace(mid, (10, 7, 7)) == "ahead"
    assert pace(date(2027, 7, 2), (10, 4, 4)) == "on_track"  # 4.99 due: rounded down
    # The worst target decides; one already met does not hold the plan back.
    assert pace(mid, (10, 7, 7), (30, 10, 10)) == "behind"
    assert pace(mid, (10, 10, 10), (30, 16, 16)) == "on_track"
    assert pace(mid, (None, 0, 0), (0, 0, 0)) == "on_track"  # no targets


def test_a_target_met_early_is_done():
    assert pace(date(2027, 3, 1), (10, 10, 10)) == "done"
    assert pace(date(2027, 3, 1), (10, 12, 12), (3, 3, 3)) == "done"
    assert pace(date(2027, 3, 1), (10, 9, 12)) == "ahead"  # scheduled is not held


def test_after_the_last_day_met_is_done_and_missed_is_behind():
    after = date(2028, 1, 1)
    assert pace(after, (10, 10, 10)) == "done"
    assert pace(after, (10, 9, 9)) == "behind"
    assert pace(after) == "done"
    assert pace(END, (10, 9, 10)) == "on_track"  # the last day: one still to be held today


async def test_the_plan_list_says_not_started_not_behind(new_client, world):
    organiser = await login_as(new_client, "organiser")
    future = (await organiser.post("/api/v1/plans", json=plan_body(
        title="明年计划", starts_on=day(30).isoformat(), ends_on=day(300).isoformat())))
    assert future.status_code == 201, future.text
    progress = (await organiser.get(f"/api/v1/plans/{future.json()['id']}/progress")).json()
    assert progress["status"] == "not_started" and progress["on_track"] is False
    # A running plan with nothing held after 60 of its 91 days, and nothing scheduled: behind.
    running = await organiser.post("/api/v1/plans", json=plan_body(
        title="本季计划", starts_on=day(-60).isoformat(), ends_on=day(30).isoformat()))
    assert running.status_code == 201
    zh = await organiser.get("/organiser/plans", params={"lang": "zh_CN"})
    assert zh.status_code == 200
    rows = {re.search(r'">([^<]*)</a>', row).group(1): row
            for row in re.findall(r"<tr>(.*?)</tr>", zh.text, re.S) if "</a>" in row}
    assert 'data-pace="not_started"' in rows["明年计划"] and "未开始" in rows["明年计划"]
    assert "落后" not in rows["明年计划"]
    assert 'data-pace="behind"' in rows["本季计划"] and "落后" in rows["本季计划"]
    en = await organiser.get("/organiser/plans", params={"lang": "en"})
    assert "Not started" in en.text and "Behind" in en.text
    # Both offline fairs scheduled: the running plan is back on pace.
    await make_fair(organiser, world, "offline", day(5))
    await make_fair(organiser, world, "offline", day(9), venue="新区人才服务中心报告厅")
    for d in (6, 7, 8):
        await make_fair(organiser, world, "online", day(d))
    dash = await organiser.get(f"/organiser/plans/{running.json()['id']}", params={"lang": "en"})
    assert 'id="pace" data-pace="on_track"' in dash.text and "On pace" in dash.text
