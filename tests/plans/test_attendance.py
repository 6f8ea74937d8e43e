"""A plan's progress carries the attendance of its held fairs: admissions (walk-ins included),
walk-ins, employers present, employer-service visits and livestream views."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fairs.plans import progress as plan_progress
from fairs.plans import services as plans
from tests.conftest import login_as
from tests.employers.conftest import bearer_client, employers_with_tokens
from tests.tickets.helpers import make_fair, phone, register, when


async def test_progress_counts_the_attendance_of_held_fairs(app, new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    today = date.today()
    made = await organiser.post("/api/v1/plans", json={
        "title": "本月计划", "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "targets": {"offline": 1, "online": 1, "events": 2, "employer_visits": 1}})
    assert made.status_code == 201, made.text
    plan_id = made.json()["id"]

    fair = await make_fair(organiser, world, booking_closes_at=when(170))
    layout = {"booths": [{"code": "A01", "zone": "A"}, {"code": "A02", "zone": "A"}]}
    assert (await organiser.put(f"/api/v1/fairs/{fair['id']}/booths",
                                json=layout)).status_code == 200
    tickets = [await register(new_client(), fair["id"], f"求职者{i}") for i in range(3)]
    for ticket in tickets[:2]:
        for _ in range(2):  # a repeat scan counts once
            scan = await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                      json={"code": ticket["code"]})
            assert scan.json()["result"] in ("ok", "already_checked_in")
    walk_in = await scanner.post(f"/api/v1/fairs/{fair['id']}/walk-ins",
                                 json={"name": "现场求职者", "phone": phone()})
    assert walk_in.status_code == 200, walk_in.text
    [employer] = await employers_with_tokens(1, start=5100)
    async with bearer_client(app, employer["token"]) as hr:
        booked = await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"})
        assert booked.status_code == 201, booked.text
        booking = (await hr.get(f"/api/v1/bookings/{booked.json()['id']}")).json()
    present = await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                 json={"code": booking["code"]})
    assert present.json()["result"] == "ok" and "employer" in present.json()

    online = (await organiser.post("/api/v1/fairs", json={
        "kind": "online", "title": "职海冲浪·直播带岗", "starts_at": when(-60), "ends_at": when(60),
        "channel": world["channel:职海冲浪"]})).json()
    await organiser.post(f"/api/v1/fairs/{online['id']}/publish")
    views = await organiser.post(f"/api/v1/fairs/{online['id']}/online-sessions",
                                 json={"label": "第一场", "peak_viewers": 300, "total_views": 1234})
    assert views.status_code == 201, views.text

    # While the fairs run, nothing is held yet.
    before = (await organiser.get(f"/api/v1/plans/{plan_id}/progress")).json()
    assert before["attendance"]["admissions"] == 0
    assert before["targets"]["offline"]["scheduled"] == 1

    # Four hours later both have ended: held, with their attendance.
    later = datetime.now(UTC) + timedelta(hours=4)
    progress = await plan_progress.progress_of(await _plan(organiser, plan_id), later)
    assert progress["attendance"] == {"admissions": 3, "walk_ins": 1, "employers_present": 1,
                                      "employer_visits": 1, "online_views": 1234,
                                      "intentions": 0, "hires": 0}
    assert progress["targets"]["offline"]["held"] == 1
    assert progress["targets"]["employer_visits"]["held"] == 1
    assert progress["on_track"] is True


async def _plan(organiser, plan_id: int) -> dict:
    from fairs.accounts import services as accounts

    principal = await accounts.principal_by_id(
        (await organiser.get("/api/v1/auth/me")).json()["id"])
    return await plans.get_plan(principal, plan_id)
