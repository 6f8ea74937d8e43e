"""A booked employer copies its needs into its booking's positions in one step: all of them or
none, checked by the positions' own rule."""

from __future__ import annotations

import itertools

from fairs import db
from tests.demand.conftest import add_need
from tests.employers.conftest import make_fair
from tests.employers.test_positions import book_a_guest_slot
from tests.test_accounts import problem

_days = itertools.count(10)


async def _booked(organiser, world, hr) -> dict:
    fair = await make_fair(organiser, world, booths=2, days=next(_days))
    booking = await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"})
    assert booking.status_code == 201, booking.text
    return booking.json()


async def _positions(client, booking_id: int) -> list[dict]:
    r = await client.get(f"/api/v1/bookings/{booking_id}/positions")
    assert r.status_code == 200, r.text
    return r.json()["items"]


async def test_needs_become_positions_of_the_booking(world, organiser, employer_clients):
    hr, other = await employer_clients(2)
    booking = await _booked(organiser, world, hr)
    welder = await add_need(hr, hr.employer_id)  # a draft may be copied too
    cook = await add_need(hr, hr.employer_id, title="厨师", education="any", pay_unit="day",
                          salary_min=200, salary_max=260, skills="持健康证", skilled=False)
    url = f"/api/v1/bookings/{booking['id']}/positions/from-needs"
    made = await hr.post(url, json={"needs": [cook["id"], welder["id"]]})
    assert made.status_code == 201, made.text
    items = made.json()["items"]
    assert [(p["title"], p["headcount"], p["pay_unit"], p["salary_min"], p["booth"])
            for p in items] == [("厨师", 3, "day", 200, "A01"), ("电焊工", 3, "month", 6000, "A01")]
    assert items[0]["description"] == "持健康证" and items[1]["education"] == "senior"
    assert len(await _positions(hr, booking["id"])) == 2
    # Another company may neither copy into this booking nor copy its needs into its own.
    problem(await other.post(url, json={"needs": [welder["id"]]}), 403)
    theirs = await _booked(organiser, world, other)
    body = problem(await other.post(f"/api/v1/bookings/{theirs['id']}/positions/from-needs",
                                    json={"needs": [welder["id"]]}), 422)
    assert body["errors"][0]["field"] == "needs"
    assert body["errors"][0]["code"] == "unknown_need"
    assert await _positions(other, theirs["id"]) == []
    # Organisers do not list an employer's positions.
    problem(await organiser.post(url, json={"needs": [welder["id"]]}), 403)


async def test_one_bad_need_writes_nothing(world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    booking = await _booked(organiser, world, hr)
    good = await add_need(hr, hr.employer_id, title="装配工")
    gone = await add_need(hr, hr.employer_id, title="已撤回")
    await hr.post(f"/api/v1/needs/{gone['id']}/withdraw")
    broken = await add_need(hr, hr.employer_id, title="薪酬有误")
    # A need whose pay no longer passes the positions' rule (a monthly pay of 300 yuan,
    # written by hand: the services refuse it).
    await db.execute("UPDATE need SET salary_min = 300, salary_max = 300 WHERE id = {}",
                     broken["id"])
    url = f"/api/v1/bookings/{booking['id']}/positions/from-needs"
    for ids, code in (([good["id"], gone["id"]], "need_not_usable"),
                      ([good["id"], broken["id"]], "invalid_need"),
                      ([good["id"], 2**31 - 1], "unknown_need")):
        body = problem(await hr.post(url, json={"needs": ids}), 422)
        assert body["errors"][0]["field"] == "needs" and body["errors"][0]["code"] == code
        assert await _positions(hr, booking["id"]) == []
    body = problem(await hr.post(url, json={"needs": []}), 400)
    assert await _positions(hr, booking["id"]) == []
    # The pay's fault is told in the reader's language.
    body = problem(await hr.post(url, json={"needs": [broken["id"]]},
                                 headers={"accept-language": "zh-CN"}), 422)
    assert str(broken["id"]) in body["errors"][0]["message"]
    made = await hr.post(url, json={"needs": [good["id"]]})
    assert made.status_code == 201 and len(await _positions(hr, booking["id"])) == 1


async def test_needs_onto_a_guest_slot_and_the_pages(world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    _fair, slot_booking = await book_a_guest_slot(organiser, world, hr)
    need = await add_need(hr, hr.employer_id, title="直播带货主播")
    made = await hr.post(f"/api/v1/slot-bookings/{slot_booking['id']}/positions/from-needs",
                         json={"needs": [need["id"]]})
    assert made.status_code == 201, made.text
    assert made.json()["items"][0]["slot_booking"] == slot_booking["id"]
    # The pages: the positions page links the copy; the copy page lists the needs.
    booking = await _booked(organiser, world, hr)
    positions = await hr.get(f"/employer/bookings/{booking['id']}/positions")
    assert f"/employer/bookings/{booking['id']}/needs" in positions.text
    form = await hr.get(f"/employer/bookings/{booking['id']}/needs")
    assert form.status_code == 200 and "直播带货主播" in form.text
    posted = await hr.post(f"/employer/bookings/{booking['id']}/needs",
                           data={"needs": [str(need["id"])]}, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    assert [p["title"] for p in await _positions(hr, booking["id"])] == ["直播带货主播"]
    empty = await hr.post(f"/employer/bookings/{booking['id']}/needs", data={})
    assert empty.status_code == 422
