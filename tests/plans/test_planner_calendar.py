"""The planner page's calendar shows the fairs already scheduled in the plan's subtree and dates
(published and drafts, apart from the proposals), and the planner counts them toward the
targets."""

from __future__ import annotations

import re

from tests.conftest import login_as
from tests.plans.test_api import day, make_fair, plan_body


async def test_the_planner_calendar_shows_fairs_already_scheduled(new_client, world):
    organiser = await login_as(new_client, "organiser")
    made = await organiser.post("/api/v1/plans", json=plan_body(
        starts_on=day(1).isoformat(), ends_on=day(40).isoformat(),
        targets={"offline": 3, "online": 1}))
    plan = made.json()
    published = await make_fair(organiser, world, "offline", day(3))
    draft = await make_fair(organiser, world, "online", day(4), publish=False)
    sub = await make_fair(organiser, world, "offline", day(6), org="gzk",
                          venue="古镇口大学城招聘广场")
    outside = await make_fair(organiser, world, "offline", day(45))
    url = f"/organiser/plans/{plan['id']}/planner"

    page = await organiser.get(url, params={"lang": "zh_CN"})
    assert page.status_code == 200
    shown = re.findall(r'<a class="ef kind-(\w+)( draft)?" href="/organiser/fairs/(\d+)"',
                       page.text)
    assert {(k, bool(d), int(i)) for k, d, i in shown} == {
        ("offline", False, published["id"]), ("online", True, draft["id"]),
        ("offline", False, sub["id"])}
    assert str(outside["id"]) not in {i for _k, _d, i in shown}
    assert "已安排（已发布或草稿）" in page.text and 'class="pf ' not in page.text

    # The planner counts them: 3 offline wanted, 2 published; 1 online wanted, 1 draft.
    run = await organiser.get(url, params={"run": "1", "lang": "en"})
    assert run.status_code == 200
    assert run.text.count('class="pf kind-offline"') == 1
    assert run.text.count('class="pf kind-online"') == 0
    assert run.text.count('class="ef kind-') == 3
    assert "Already scheduled (published or draft)" in run.text
