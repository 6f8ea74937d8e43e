"""The private feed with the real employers and booths slices: an approved employer books a
booth, and its feed shows the booth at the fair's time; a cancelled fair shows as cancelled."""

from __future__ import annotations

from tests.calendar.conftest import parse_icalendar, parse_icaljs, parse_strict
from tests.conftest import login_as
from tests.employers.conftest import employers_with_tokens, make_fair


async def test_booked_booth_is_in_the_employers_feed(new_client, world):
    # the booths slice's own receiver of fairs.hooks.employer_calendar
    organiser = await login_as(new_client, "organiser")
    fair = await make_fair(organiser, world, booths=3)
    (employer,) = await employers_with_tokens(1, start=4242)
    hr = new_client()
    hr.headers["Authorization"] = f"Bearer {employer['token']}"
    booked = await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A02"})
    assert booked.status_code == 201, booked.text
    got = await hr.get("/api/v1/me/calendar")
    assert got.status_code == 200, got.text
    path = "/calendar/feeds/" + got.json()["url"].rsplit("/", 1)[1]
    anon = new_client()
    text = (await anon.get(path)).text
    (event,) = parse_icalendar(text).walk("VEVENT")
    assert "A02" in str(event["SUMMARY"]) and event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART").isoformat() == fair["starts_at"]
    assert parse_strict(text).events[0].uid == str(event["UID"])
    assert parse_icaljs(text)["events"][0]["uid"] == str(event["UID"])
    assert (await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel",
                                 json={"reason": "场馆检修"})).status_code == 200
    (event,) = parse_icalendar((await anon.get(path)).text).walk("VEVENT")
    assert event["STATUS"] == "CANCELLED" and str(event["SUMMARY"]).startswith("【已取消】")


async def test_positions_show_in_the_feed_jobs_line(app, new_client, world):
    """The booths slice's positions reach the calendar event's description, and a new position
    changes the feed's ETag."""
    from tests.employers.conftest import bearer_client, employers_with_tokens
    from tests.employers.conftest import make_fair as make_booth_fair

    organiser = await login_as(new_client, "organiser")
    fair = await make_booth_fair(organiser, world, booths=2)
    [employer] = await employers_with_tokens(1, start=5200)
    anon = new_client()
    before = await anon.get("/calendar/fairs.ics")
    async with bearer_client(app, employer["token"]) as hr:
        booked = (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": None}))
        assert booked.status_code == 201, booked.text
        made = await hr.post(f"/api/v1/bookings/{booked.json()['id']}/positions", json={
            "title": "Java 开发工程师", "headcount": 12, "education": "bachelor",
            "salary_min": 8000, "salary_max": 15000, "job_type": "regular"})
        assert made.status_code == 201, made.text
    after = await anon.get("/calendar/fairs.ics")
    assert after.headers["etag"] != before.headers["etag"]
    assert "招聘 12 人" in "".join(after.text.replace("\r\n ", "").splitlines())
