"""The organiser's plan pages render, and the form flow works without JavaScript."""

from __future__ import annotations

import re

from tests.conftest import login_as
from tests.plans.test_api import day, make_fair


async def test_dashboard_planner_accept_publish(new_client, world):
    organiser = await login_as(new_client, "organiser")
    home = await organiser.get("/organiser")
    assert "/organiser/plans" in home.text
    listing = await organiser.get("/organiser/plans")
    assert listing.status_code == 200 and 'name="target_offline"' in listing.text
    made = await organiser.post("/organiser/plans", data={
        "title": "春季计划", "starts_on": day(-10).isoformat(), "ends_on": day(30).isoformat(),
        "target_offline": "2", "target_online": "2", "target_events": ""},
        headers={"x-csrf-token": organiser.cookies.get("fairs_csrf", "")})
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    await make_fair(organiser, world, "offline", day(-5))
    dash = await organiser.get(url)
    assert dash.status_code == 200
    assert "<svg" in dash.text and 'class="held"' in dash.text and 'class="target"' in dash.text
    assert 'id="on-track"' in dash.text
    planner = await organiser.get(f"{url}/planner", params={"run": "1", "max_per_day": "1",
                                                             "weekdays_only": "1"})
    assert planner.status_code == 200
    assert planner.text.count('class="pf kind-') == 3
    proposal = re.search(r'name="proposal" value="([^"]*)"', planner.text).group(1)
    import html

    accepted = await organiser.post(f"{url}/accept", data={"proposal": html.unescape(proposal)},
                                    headers={"x-csrf-token": organiser.cookies["fairs_csrf"]})
    assert accepted.status_code == 303, accepted.text
    dash = await organiser.get(accepted.headers["location"])
    assert "Publish all drafts" in dash.text or "发布全部草稿" in dash.text
    # Publishing every draft is a bulk action: without `confirm` and the number agreed to, the
    # answer is a page naming what will be published ("发布 3 场草稿"), and nothing changes.
    csrf = {"x-csrf-token": organiser.cookies["fairs_csrf"]}
    step = await organiser.post(f"{url}/publish", headers=csrf)
    assert step.status_code == 200 and 'id="confirm-yes"' in step.text
    assert "发布 3 场草稿" in step.text or "Publish 3 drafts" in step.text
    plan_id = url.rsplit("/", 1)[1]
    assert (await organiser.get(f"/api/v1/plans/{plan_id}/progress")).json()["on_track"] is False
    stale = await organiser.post(f"{url}/publish", data={"confirm": "yes", "n": "2"},
                                 headers=csrf)
    assert stale.status_code == 200 and 'id="confirm-yes"' in stale.text
    published = await organiser.post(f"{url}/publish", data={"confirm": "yes", "n": "3"},
                                     headers=csrf)
    assert published.status_code == 303
    progress = (await organiser.get(f"/api/v1/plans/{url.rsplit('/', 1)[1]}/progress")).json()
    assert progress["on_track"] is True
    bad = await organiser.get(f"{url}/planner", params={"run": "1", "blackout": "not-a-date"})
    assert bad.status_code == 200 and 'role="alert"' in bad.text
