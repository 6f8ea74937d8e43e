"""The employer's list of bookable fairs (issue 15: "leaves out 17 of them") lists every fair
it can book a booth or a guest slot at now, and those whose booking opens later; a pending or
rejected employer sees before clicking that it cannot book yet, and why."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fairs.i18n import TZ
from tests.employers.conftest import at, make_fair, registration
from tests.helpers import move_fair
from tests.test_accounts import problem

ZH = {"accept": "text/html", "accept-language": "zh-CN"}


def listed(html: str, css: str) -> set[int]:
    """The fair ids of one list (ul.open-fairs or ul.later-fairs) of the employer's home."""
    found = re.search(rf'<ul class="{css}">(.*?)</ul>', html, re.S)
    return {int(x) for x in re.findall(r'data-fair="(\d+)"', found.group(1))} if found else set()


async def _slots(organiser, fair: dict, n: int = 1) -> None:
    start = datetime.fromisoformat(fair["starts_at"])
    made = await organiser.post(f"/api/v1/fairs/{fair['id']}/slots", json={"slots": [
        {"starts_at": (start + timedelta(minutes=15 * i)).isoformat(),
         "ends_at": (start + timedelta(minutes=15 * (i + 1))).isoformat()} for i in range(n)]})
    assert made.status_code == 201, made.text


async def test_every_bookable_fair_is_listed(new_client, world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    with_booths = await make_fair(organiser, world, days=5, booths=3)
    no_layout = await make_fair(organiser, world, days=6, title="未另设展位的招聘会")
    online = await make_fair(organiser, world, kind="online", days=7)
    await _slots(organiser, online, 2)
    no_slots = await make_fair(organiser, world, kind="online", days=8, title="尚无时段的直播")
    later = await make_fair(organiser, world, days=30, booking_opens_at=at(20),
                            title="二十天后开放预订")
    closed = await make_fair(organiser, world, days=12, booking_closes_at=at(11),
                             title="预订已截止")
    await move_fair(closed["id"], booking_closes_at=datetime.now(TZ) - timedelta(hours=1))
    # Running now, booking open until its last hour (the window may close after the start).
    running = await make_fair(organiser, world, days=3, booking_closes_at=at(3, 11),
                              title="正在进行仍可预订")
    now = datetime.now(TZ)
    await move_fair(running["id"], starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(hours=3),
                    booking_closes_at=now + timedelta(hours=2))
    draft = await make_fair(organiser, world, days=9, publish=False, title="草稿")
    cancelled = await make_fair(organiser, world, days=10, title="已取消")
    await organiser.post(f"/api/v1/fairs/{cancelled['id']}/cancel", json={"reason": "天气原因"})

    home = await hr.get("/employer", headers=ZH)
    assert home.status_code == 200
    open_now = listed(home.text, "open-fairs")
    assert {with_booths["id"], no_layout["id"], online["id"], running["id"]} <= open_now
    assert no_slots["id"] in open_now and "嘉宾时段已约满" in home.text
    assert listed(home.text, "later-fairs") == {later["id"]}
    for gone in (closed, draft, cancelled, later):
        assert gone["id"] not in open_now
    assert not {closed["id"], draft["id"], cancelled["id"]} & listed(home.text, "later-fairs")

    # Each listed fair can be booked: the list and the booking rule agree.
    for fair in (running, no_layout):
        r = await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={})
        assert r.status_code == 201, r.text
    problem(await hr.post(f"/api/v1/fairs/{later['id']}/bookings", json={}), 409)


async def test_a_pending_employer_sees_it_cannot_book(new_client, world, organiser):
    fair = await make_fair(organiser, world, days=5, booths=3)
    online = await make_fair(organiser, world, kind="online", days=7)
    await _slots(organiser, online)
    await new_client().post("/api/v1/employers", json=registration(71))
    hr = await new_client().login("hr71", "employer-pass-1")

    home = await hr.get("/employer", headers=ZH)
    assert fair["id"] in listed(home.text, "open-fairs")  # listed, not hidden
    assert 'id="cannot-book"' in home.text and "正在等待人社部门审核" in home.text

    plan = await hr.get(f"/employer/fairs/{fair['id']}", headers=ZH)
    assert "正在等待人社部门审核" in plan.text
    buttons = re.findall(r"<button[^>]*>", plan.text)
    booth_buttons = [b for b in buttons if 'name="booth"' in b]
    assert len(booth_buttons) == 4 and all(" disabled" in b for b in booth_buttons)
    assert 'data-locked="1"' in plan.text
    slots = await hr.get(f"/employer/fairs/{online['id']}", headers=ZH)
    book = [b for b in re.findall(r"<button[^>]*>", slots.text) if "cannot-book" in b]
    assert len(book) == 1 and " disabled" in book[0]

    # The server still refuses, in the reader's language, with a stable code.
    body = problem(await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"},
                                 headers={"accept-language": "zh-CN"}), 403)
    assert (body["code"], body["employer_status"]) == ("not_approved", "pending")
    assert "等待人社部门审核" in body["detail"]
    body = problem(await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"},
                                 headers={"accept-language": "en"}), 403)
    assert "waiting for the employment bureau's approval" in body["detail"]

    employer_id = (await hr.get("/api/v1/auth/me")).json()["employer"]
    await organiser.post(f"/api/v1/employers/{employer_id}/reject", json={"reason": "资料不全"})
    home = await hr.get("/employer", headers=ZH)
    assert "未通过审核" in home.text and "资料不全" in home.text
    body = problem(await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={},
                                 headers={"accept-language": "zh-CN"}), 403)
    assert (body["code"], body["employer_status"]) == ("not_approved", "rejected")

    await organiser.post(f"/api/v1/employers/{employer_id}/approve")
    plan = await hr.get(f"/employer/fairs/{fair['id']}", headers=ZH)
    assert 'id="cannot-book"' not in plan.text
    assert not any(" disabled" in b for b in re.findall(r"<button[^>]*>", plan.text)
                   if 'value="A01"' in b)
