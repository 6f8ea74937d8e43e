"""Positions (岗位) an employer brings to a fair, on a booth booking or a guest-slot booking, and
the fair's searchable list of them."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs.booths import services as booths
from tests.employers.conftest import make_fair, registration
from tests.test_accounts import problem

JOB = {"title": "直播带岗主播", "headcount": 2, "education": "college", "salary_min": 5000,
       "salary_max": 8000, "job_type": "常规"}


async def test_positions(new_client, world, organiser, employer_clients):
    fair = await make_fair(organiser, world, booths=2)
    a, b = await employer_clients(2)
    booking = (await a.post(f"/api/v1/fairs/{fair['id']}/bookings",
                            json={"booth": "A01"})).json()
    url = f"/api/v1/bookings/{booking['id']}/positions"
    job = {"title": "Python 开发工程师", "headcount": 5, "education": "bachelor",
           "salary_min": 8000, "salary_max": 15000, "job_type": "常规", "major": "计算机",
           "experience": "1-3", "description": "负责招聘系统后端"}
    made = await a.post(url, json=job)
    assert made.status_code == 201, made.text
    assert made.json()["job_type"] == "regular" and made.json()["booth"] == "A01"
    body = problem(await a.post(url, json={**job, "salary_min": 9000, "salary_max": 3000}), 422)
    assert body["errors"][0]["field"] == "salary_max"
    body = problem(await a.post(url, json={**job, "job_type": "freelance"}), 422)
    assert body["errors"][0]["field"] == "job_type"
    await a.post(url, json={**job, "title": "仓储见习生", "headcount": 3, "job_type": "traineeship",
                            "major": "物流管理", "description": ""})
    problem(await b.post(url, json=job), 403)
    anon = new_client()
    listed = (await anon.get(f"/api/v1/fairs/{fair['id']}/positions")).json()
    assert listed["total"] == 2
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}/positions",
                           params={"q": "python"})).json()["total"] == 1
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}/positions",
                           params={"q": "物流"})).json()["total"] == 1
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}/positions",
                           params={"job_type": "见习"})).json()["total"] == 1
    pid = made.json()["id"]
    assert (await a.patch(f"/api/v1/positions/{pid}", json={"headcount": 7})).json()[
        "headcount"] == 7
    problem(await b.patch(f"/api/v1/positions/{pid}", json={"headcount": 1}), 403)
    counts = await booths.fair_counts([fair["id"]])
    assert counts[fair["id"]]["positions"] == 10
    # a cancelled booking's positions leave the fair's list
    await a.delete(f"/api/v1/bookings/{booking['id']}")
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}/positions")).json()["total"] == 0
    problem(await a.post(url, json=job), 409)


async def test_registration_page_flow_data(new_client, world):
    """The public positions list of an unknown fair is a 404; of a draft too."""
    problem(await new_client().get("/api/v1/fairs/99999/positions"), 404)
    assert registration(1)["uscc"]


async def book_a_guest_slot(organiser, world, hr) -> tuple[dict, dict]:
    """An online fair with one guest slot, booked by `hr`: (fair, slot booking)."""
    fair = await make_fair(organiser, world, kind="online", days=9)
    start = datetime.fromisoformat(fair["starts_at"])
    made = await organiser.post(f"/api/v1/fairs/{fair['id']}/slots", json={"slots": [{
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=20)).isoformat()}]})
    slot = made.json()["items"][0]
    booked = await hr.post(f"/api/v1/slots/{slot['id']}/bookings", json={"topic": "物流岗位"})
    assert booked.status_code == 201, booked.text
    return fair, booked.json()


async def test_positions_on_a_guest_slot(new_client, world, organiser, employer_clients):
    """A position hangs on a guest-slot booking as on a booth: listed with the fair's jobs
    (without a booth); only its employer adds one; an unknown booking is a 404, a booking that
    is no longer confirmed a 409 naming `booking`; organisers over the fair read a booking's
    positions, another company may not."""
    hr, other = await employer_clients(2)
    fair, booking = await book_a_guest_slot(organiser, world, hr)
    url = f"/api/v1/slot-bookings/{booking['id']}/positions"
    made = await hr.post(url, json=JOB)
    assert made.status_code == 201, made.text
    position = made.json()
    assert position["slot_booking"] == booking["id"] and position["booking"] is None
    assert position["booth"] is None and position["fair"] == fair["id"]
    assert position["employer"] == hr.employer_id and position["job_type"] == "regular"
    problem(await other.post(url, json=JOB), 403)
    problem(await organiser.post(url, json=JOB), 403)
    problem(await hr.post("/api/v1/slot-bookings/999999/positions", json=JOB), 404)
    problem(await hr.post("/api/v1/bookings/999999/positions", json=JOB), 404)
    problem(await hr.get("/api/v1/bookings/999999/positions"), 404)
    listed = (await new_client().get(f"/api/v1/fairs/{fair['id']}/positions")).json()
    assert [p["id"] for p in listed["items"]] == [position["id"]] and listed["total"] == 1
    # a booth booking's positions: its employer and the fair's organisers read them
    offline = await make_fair(organiser, world, booths=1)
    booth = (await other.post(f"/api/v1/fairs/{offline['id']}/bookings",
                              json={"booth": "A01"})).json()
    on_booth = (await other.post(f"/api/v1/bookings/{booth['id']}/positions", json=JOB)).json()
    for reader in (other, organiser):
        got = await reader.get(f"/api/v1/bookings/{booth['id']}/positions")
        assert got.status_code == 200 and [p["id"] for p in got.json()["items"]] == [
            on_booth["id"]]
    problem(await hr.get(f"/api/v1/bookings/{booth['id']}/positions"), 403)
    # the slot booking cancelled: its positions leave the list, and no new one hangs on it
    assert (await hr.delete(f"/api/v1/slot-bookings/{booking['id']}")).status_code == 204
    assert (await new_client().get(f"/api/v1/fairs/{fair['id']}/positions")).json()[
        "total"] == 0
    body = problem(await hr.post(url, json=JOB), 409)
    assert body["errors"][0]["field"] == "booking"


HTML = {"accept": "text/html", "accept-language": "en"}
FORM = {"title": "数控车工", "headcount": "4", "job_type": "regular", "education": "senior",
        "experience": "1-3", "salary_min": "6000", "salary_max": "9000", "major": "",
        "description": ""}


async def test_positions_editor_and_the_jobs_list(new_client, world, organiser,
                                                  employer_clients):
    """The employer adds and removes positions on its booth and on its guest slot through the
    editor (a bad field is answered on the page, naming it); the public finds them on the
    fair's jobs list; another company's editor is refused."""
    hr, other = await employer_clients(2)
    fair = await make_fair(organiser, world, booths=2)
    booked = (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                            json={"booth": "A02"})).json()
    editor = f"/employer/bookings/{booked['id']}/positions"
    page = await hr.get(editor, headers=HTML)
    assert page.status_code == 200 and "Booth A02" in page.text and fair["title"] in page.text
    assert "No positions yet." in page.text
    token = {"_csrf_token": hr.cookies.get("fairs_csrf")}
    bad = await hr.post(editor, data={**token, **FORM, "salary_max": "3000"}, headers=HTML)
    assert bad.status_code == 422 and "must not be below the lowest pay" in bad.text
    added = await hr.post(editor, data={**token, **FORM})
    assert added.status_code == 303 and added.headers["location"] == editor
    page = await hr.get(editor, headers=HTML)
    assert "数控车工" in page.text and "4 openings" in page.text
    assert (await other.get(editor, headers=HTML)).status_code == 403

    anon = new_client()
    jobs = await anon.get(f"/fairs/{fair['id']}/jobs", headers=HTML)
    assert jobs.status_code == 200 and "数控车工" in jobs.text and "Booth A02" in jobs.text
    assert "数控车工" not in (await anon.get(f"/fairs/{fair['id']}/jobs", headers=HTML,
                                          params={"job_type": "gig"})).text
    assert (await anon.get("/fairs/999999/jobs", headers=HTML)).status_code == 404

    position = (await hr.get(f"/api/v1/bookings/{booked['id']}/positions")).json()["items"][0]
    removed = await hr.post(f"/employer/positions/{position['id']}/delete",
                            data=token, headers={"referer": f"http://testserver{editor}"})
    assert removed.status_code == 303 and removed.headers["location"] == editor
    assert (await anon.get(f"/api/v1/fairs/{fair['id']}/positions")).json()["total"] == 0

    online, slot_booking = await book_a_guest_slot(organiser, world, hr)
    slot_editor = f"/employer/slot-bookings/{slot_booking['id']}/positions"
    page = await hr.get(slot_editor, headers=HTML)
    assert page.status_code == 200 and "Guest slot" in page.text and online["title"] in page.text
    added = await hr.post(slot_editor, data={**token, **FORM, "title": "直播带岗主播"})
    assert added.status_code == 303 and added.headers["location"] == slot_editor
    jobs = await anon.get(f"/fairs/{online['id']}/jobs", headers=HTML)
    assert "直播带岗主播" in jobs.text
