"""The private feed with the real employers and booths slices: an approved employer books a
booth, and its feed shows the booth at the fair's time; a cancelled fair shows as cancelled."""

from __future__ import annotations

from fairs import extensions
from tests.calendar.conftest import parse_icalendar, parse_icaljs, parse_strict
from tests.conftest import login_as
from tests.employers.conftest import employers_with_tokens, make_fair


async def test_booked_booth_is_in_the_employers_feed(new_client, world):
    extensions.register_employer_calendar(None)  # the booths slice's own provider
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
