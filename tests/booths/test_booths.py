"""Booths, bookings, the waitlist, windows and guest slots (positions and the no-show ledger:
tests/employers)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fairs.booths import services as booths
from fairs.employers.tables import NoShow
from tests.conftest import login_as
from tests.employers.conftest import at, make_fair
from tests.test_accounts import problem


async def test_book_a_booth_and_the_rules(new_client, world, organiser, employer_clients):
    fair = await make_fair(organiser, world, booths=3)
    a, b = await employer_clients(2)
    made = await a.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A02"})
    assert made.status_code == 201, made.text
    booking = made.json()
    assert booking["status"] == "confirmed" and booking["booth"] == "A02"
    assert booking["code"].startswith("E") and len(booking["code"]) == 17
    # the same booth again: 409; the same employer again: 409
    body = problem(await b.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A02"}),
                   409)
    assert body["errors"][0]["field"] == "booth"
    problem(await a.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A03"}), 409)
    problem(await a.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": None}), 409)
    problem(await b.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "Z99"}), 404)
    booths_now = (await new_client().get(f"/api/v1/fairs/{fair['id']}/booths")).json()
    assert {x["code"]: x["status"] for x in booths_now["items"]} == {
        "A01": "free", "A02": "booked", "A03": "free"}
    # another company's booking: 403 to read and to cancel
    problem(await b.get(f"/api/v1/bookings/{booking['id']}"), 403)
    problem(await b.delete(f"/api/v1/bookings/{booking['id']}"), 403)
    seen = (await a.get(f"/api/v1/bookings/{booking['id']}")).json()
    assert seen["employer"] == a.employer_id and seen["fair"] == fair["id"]
    assert (await organiser.get(f"/api/v1/bookings/{booking['id']}")).status_code == 200
    # an organiser of a sibling district sees nothing of it
    problem(await (await login_as(new_client, "jiaozhou")).get(
        f"/api/v1/bookings/{booking['id']}"), 403)


async def test_only_approved_employers_book(new_client, world, organiser, employer_clients):
    fair = await make_fair(organiser, world, booths=2)
    (pending,) = await employer_clients(1, approve=False)
    problem(await pending.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"}),
            403)
    problem(await organiser.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"}),
            403)
    problem(await new_client().post(f"/api/v1/fairs/{fair['id']}/bookings",
                                    json={"booth": "A01"}), 401)
    await organiser.post(f"/api/v1/employers/{pending.employer_id}/reject",
                         json={"reason": "资料不全"})
    problem(await pending.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"}),
            403)
    await organiser.post(f"/api/v1/employers/{pending.employer_id}/approve")
    made = await pending.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"})
    assert made.status_code == 201


async def test_booking_window(new_client, world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    draft = await make_fair(organiser, world, booths=2, publish=False)
    problem(await hr.post(f"/api/v1/fairs/{draft['id']}/bookings", json={"booth": "A01"}), 404)
    fair = await make_fair(organiser, world, booths=2, days=20)
    await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={"booking_opens_at": at(3)})
    body = problem(await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"}),
                   409)
    assert body["code"] == "booking_not_open" and "开放" in body["detail"]
    await organiser.patch(f"/api/v1/fairs/{fair['id']}",
                          json={"booking_opens_at": at(-3), "booking_closes_at": at(-1)})
    body = problem(await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"}),
                   409)
    assert body["code"] == "booking_closed" and "截止" in body["detail"]
    await organiser.patch(f"/api/v1/fairs/{fair['id']}", json={"booking_closes_at": at(5)})
    assert (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                          json={"booth": "A01"})).status_code == 201
    cancelled = await make_fair(organiser, world, booths=2, days=30)
    await organiser.post(f"/api/v1/fairs/{cancelled['id']}/cancel", json={"reason": "台风"})
    problem(await hr.post(f"/api/v1/fairs/{cancelled['id']}/bookings", json={"booth": "A01"}),
            409)


async def test_any_free_booth_waitlist_and_promotion(world, organiser, employer_clients):
    fair = await make_fair(organiser, world, booths=2)
    a, b, c, d = await employer_clients(4)
    url = f"/api/v1/fairs/{fair['id']}/bookings"
    first = await a.post(url, json={"booth": None})
    assert first.status_code == 201 and first.json()["booth"] == "A01"
    assert (await b.post(url, json={})).json()["booth"] == "A02"
    waiting_c = await c.post(url, json={"booth": None})
    assert waiting_c.status_code == 202
    assert waiting_c.json()["status"] == "waitlisted" and waiting_c.json()["place"] == 1
    waiting_d = (await d.post(url, json={"booth": None})).json()
    assert waiting_d["place"] == 2
    listed = (await organiser.get(url)).json()["items"]
    assert [(x["status"], x["booth"], x["place"]) for x in listed] == [
        ("confirmed", "A01", None), ("confirmed", "A02", None),
        ("waitlisted", None, 1), ("waitlisted", None, 2)]
    assert [x["employer"] for x in listed[2:]] == [c.employer_id, d.employer_id]
    # b cancels: c gets A02 at once, d moves up
    assert (await b.delete(f"/api/v1/bookings/{(await b.get('/api/v1/me/bookings')).json()['items'][0]['id']}")).status_code == 204  # noqa: E501
    now_c = (await c.get(f"/api/v1/bookings/{waiting_c.json()['id']}")).json()
    assert now_c["status"] == "confirmed" and now_c["booth"] == "A02" and now_c["code"]
    assert (await d.get(f"/api/v1/bookings/{waiting_d['id']}")).json()["place"] == 1
    # a waitlisted employer leaves the queue without a trace in the ledger
    assert (await d.delete(f"/api/v1/bookings/{waiting_d['id']}")).status_code == 204
    assert (await d.get(f"/api/v1/bookings/{waiting_d['id']}")).json()["status"] == "cancelled"
    # a booth added to the layout goes to the waitlist first
    e, = await employer_clients(1, start=2000)
    assert (await e.post(url, json={"booth": None})).status_code == 202
    layout = [{"code": "A01"}, {"code": "A02"}, {"code": "A03"}]
    await organiser.put(f"/api/v1/fairs/{fair['id']}/booths", json={"booths": layout})
    mine = (await e.get("/api/v1/me/bookings")).json()["items"][0]
    assert mine["status"] == "confirmed" and mine["booth"] == "A03"
    # booked booths cannot be removed
    body = problem(await organiser.put(f"/api/v1/fairs/{fair['id']}/booths",
                                       json={"booths": [{"code": "A01"}]}), 409)
    assert "A02" in body["detail"]
    assert await NoShow.count() == 0


async def test_a_booth_freed_just_after_the_fair_was_full_is_taken_not_waitlisted(
        world, organiser, employer_clients):
    """Right after the fair was found full (the next employer goes straight to the waitlist
    step), a booth freed by a cancellation with nobody waiting is still booked, not queued."""
    fair = await make_fair(organiser, world, booths=1)
    a, b, c = await employer_clients(3, start=3000)
    url = f"/api/v1/fairs/{fair['id']}/bookings"
    held = (await a.post(url, json={"booth": None})).json()
    assert held["booth"] == "A01"
    queued = await b.post(url, json={"booth": None})
    assert queued.status_code == 202 and queued.json()["place"] == 1
    assert (await b.delete(f"/api/v1/bookings/{queued.json()['id']}")).status_code == 204
    assert (await a.delete(f"/api/v1/bookings/{held['id']}")).status_code == 204
    taken = await c.post(url, json={"booth": None})
    assert taken.status_code == 201, taken.text
    assert taken.json()["status"] == "confirmed" and taken.json()["booth"] == "A01"
    again = await a.post(url, json={"booth": None})
    assert again.status_code == 202 and again.json()["place"] == 1


async def test_layout_rules_and_copy(new_client, world, organiser):
    fair = await make_fair(organiser, world, booths=0, publish=False)
    body = problem(await organiser.put(f"/api/v1/fairs/{fair['id']}/booths",
                                       json={"booths": [{"code": "A1"}, {"code": "a1"}]}), 422)
    assert body["errors"][0]["field"] == "booths"
    layout = [{"code": "B01", "zone": "B", "x": 0, "y": 0, "w": 2, "h": 1, "step_free": True},
              {"code": "B02", "zone": "B", "x": 2, "y": 0, "blocked": True}]
    r = await organiser.put(f"/api/v1/fairs/{fair['id']}/booths", json={"booths": layout})
    assert r.status_code == 200
    assert [(x["code"], x["status"], x["w"], x["step_free"]) for x in r.json()["items"]] == [
        ("B01", "free", 2, True), ("B02", "blocked", 1, False)]
    other = await make_fair(organiser, world, booths=0, publish=False, days=12)
    copied = await organiser.post(f"/api/v1/fairs/{other['id']}/booths/copy",
                                  json={"from": fair["id"]})
    assert copied.status_code == 200, copied.text
    assert [x["code"] for x in copied.json()["items"]] == ["B01", "B02"]
    elsewhere = await make_fair(organiser, world, booths=0, publish=False, days=14,
                                venue=world["venue:新区人才服务中心报告厅"])
    body = problem(await organiser.post(f"/api/v1/fairs/{elsewhere['id']}/booths/copy",
                                        json={"from": fair["id"]}), 422)
    assert body["errors"][0]["field"] == "from"
    gzk = await login_as(new_client, "jiaozhou")
    problem(await gzk.put(f"/api/v1/fairs/{fair['id']}/booths", json={"booths": layout}), 404)


async def test_guest_slots(new_client, world, organiser, employer_clients):
    fair = await make_fair(organiser, world, kind="online", days=9)
    start = datetime.fromisoformat(fair["starts_at"])
    slot = lambda m, n: {"starts_at": (start + timedelta(minutes=m)).isoformat(),  # noqa: E731
                         "ends_at": (start + timedelta(minutes=m + n)).isoformat()}
    made = await organiser.post(f"/api/v1/fairs/{fair['id']}/slots",
                                json={"slots": [slot(0, 15), slot(15, 15), slot(30, 15)]})
    assert made.status_code == 201, made.text
    slots = made.json()["items"]
    assert len(slots) == 3 and all(s["status"] == "free" for s in slots)
    body = problem(await organiser.post(f"/api/v1/fairs/{fair['id']}/slots",
                                        json={"slots": [slot(10, 15)]}), 409)
    assert body["errors"][0]["field"] == "slots"
    problem(await organiser.post(f"/api/v1/fairs/{fair['id']}/slots",
                                 json={"slots": [slot(50, 10), slot(55, 10)]}), 409)
    body = problem(await organiser.post(f"/api/v1/fairs/{fair['id']}/slots",
                                        json={"slots": [slot(-30, 15)]}), 422)
    a, b = await employer_clients(2)
    got = await a.post(f"/api/v1/slots/{slots[0]['id']}/bookings", json={"topic": "物流岗位"})
    assert got.status_code == 201, got.text
    problem(await b.post(f"/api/v1/slots/{slots[0]['id']}/bookings", json={}), 409)
    problem(await a.post(f"/api/v1/slots/{slots[1]['id']}/bookings", json={}), 409)
    assert (await b.post(f"/api/v1/slots/{slots[1]['id']}/bookings", json={})).status_code == 201
    order = (await new_client().get(f"/api/v1/fairs/{fair['id']}/slots")).json()["items"]
    assert [s["status"] for s in order] == ["booked", "booked", "free"]
    assert order[0]["topic"] == "物流岗位"
    # online fairs have no booths
    problem(await a.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": None}), 422)
    # positions on a slot booking
    pos = await a.post(f"/api/v1/slot-bookings/{got.json()['id']}/positions",
                       json={"title": "快递员", "headcount": 20, "job_type": "零工"})
    assert pos.status_code == 201, pos.text
    assert (await new_client().get(f"/api/v1/fairs/{fair['id']}/positions")).json()[
        "total"] == 1
    problem(await organiser.delete(f"/api/v1/slots/{slots[0]['id']}"), 409)
    assert (await a.delete(f"/api/v1/slot-bookings/{got.json()['id']}")).status_code == 204
    assert (await organiser.delete(f"/api/v1/slots/{slots[0]['id']}")).status_code == 204
    items = await booths.employer_calendar_items(b.employer_id)
    assert len(items) == 1 and items[0]["kind"] == "slot"
    assert items[0]["starts_at"] == start + timedelta(minutes=15)


async def test_slots_race(world, organiser, employer_clients):
    import asyncio

    fair = await make_fair(organiser, world, kind="online", days=9)
    start = datetime.fromisoformat(fair["starts_at"])
    slots = [{"starts_at": (start + timedelta(minutes=15 * i)).isoformat(),
              "ends_at": (start + timedelta(minutes=15 * i + 15)).isoformat()} for i in range(3)]
    made = (await organiser.post(f"/api/v1/fairs/{fair['id']}/slots",
                                 json={"slots": slots})).json()["items"]
    clients = await employer_clients(30)
    answers = await asyncio.gather(*[
        c.post(f"/api/v1/slots/{made[i % 3]['id']}/bookings", json={})
        for i, c in enumerate(clients)])
    assert sorted(r.status_code for r in answers).count(201) == 3
    assert {r.status_code for r in answers} == {201, 409}


def _fair_day(fair_start: str) -> date:
    return datetime.fromisoformat(fair_start).date()


def test_free_cancel_deadline_uses_working_days():
    from fairs.i18n import TZ

    # Monday 2026-10-12 (after the National Day holiday and the Saturday 10-10 make-up day)
    monday = datetime(2026, 10, 12, 9, tzinfo=TZ)
    assert booths.free_cancel_deadline(monday) == datetime(2026, 10, 11, tzinfo=TZ)  # Sat 10-10
    # Thursday 2026-10-08, the first working day after the National Day holiday: 9-30's end
    after_holiday = datetime(2026, 10, 8, 9, tzinfo=TZ)
    assert booths.free_cancel_deadline(after_holiday) == datetime(2026, 10, 1, tzinfo=TZ)
    # an ordinary Wednesday: Tuesday's end
    assert booths.free_cancel_deadline(datetime(2026, 11, 25, 9, tzinfo=TZ)) == datetime(
        2026, 11, 25, tzinfo=TZ)
    assert booths.free_cancel_deadline(datetime(2026, 11, 25, 9, tzinfo=TZ), 2) == datetime(
        2026, 11, 24, tzinfo=TZ)


async def test_calendar_items_and_me_bookings(world, organiser, employer_clients):
    (hr,) = await employer_clients(1)
    fair = await make_fair(organiser, world, booths=2)
    await hr.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A02"})
    items = await booths.employer_calendar_items(hr.employer_id)
    assert len(items) == 1
    item = items[0]
    assert item["fair"] == fair["id"] and item["label"] == "A02"
    assert item["status"] == "confirmed" and "西海岸新区人力资源市场" in item["place"]
    assert item["title"] == fair["title"]
    await organiser.post(f"/api/v1/fairs/{fair['id']}/cancel", json={"reason": "场地检修"})
    assert (await booths.employer_calendar_items(hr.employer_id))[0]["status"] == "cancelled"
