"""The booths pages render, in Chinese, with what each person needs to see; the forms work (the
employer's home, floor plan and guest slots; the organiser's layouts, bookings and slots)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import login_as
from tests.employers.conftest import make_fair, registration

HTML = {"accept": "text/html", "accept-language": "en"}


async def test_employer_and_organiser_pages(new_client, world, organiser, employer_clients):
    fair = await make_fair(organiser, world, booths=6)
    online = await make_fair(organiser, world, kind="online", days=9)
    start = datetime.fromisoformat(online["starts_at"])
    await organiser.post(f"/api/v1/fairs/{online['id']}/slots", json={"slots": [
        {"starts_at": start.isoformat(), "ends_at": (start + timedelta(minutes=15)).isoformat()}]})
    await new_client().post("/api/v1/employers", json=registration(41))
    hr = await new_client().login("hr41", "employer-pass-1")
    pending_home = await hr.get("/employer", headers=HTML)
    assert pending_home.status_code == 200 and \
        "Waiting for approval" in pending_home.text

    approvals = await organiser.get("/organiser/employers", headers=HTML)
    assert approvals.status_code == 200 and "青岛测试企业41有限公司" in approvals.text
    assert "138****0041" in approvals.text and "+8613812340041" not in approvals.text
    employer_id = (await hr.get("/api/v1/auth/me")).json()["employer"]
    r = await organiser.post(f"/organiser/employers/{employer_id}/approve",
                             data={"_csrf_token": organiser.cookies.get("fairs_csrf")})
    assert r.status_code == 303

    home = await hr.get("/employer", headers=HTML)
    assert fair["title"] in home.text and f"/employer/fairs/{online['id']}" in home.text
    plan = await hr.get(f"/employer/fairs/{fair['id']}", headers=HTML)
    assert plan.status_code == 200 and 'data-code="A01"' in plan.text
    token = {"_csrf_token": hr.cookies.get("fairs_csrf")}
    r = await hr.post(f"/employer/fairs/{fair['id']}/book", data={**token, "booth": "A03"})
    assert r.status_code == 303
    mine = (await hr.get("/api/v1/me/bookings")).json()["items"][0]
    assert mine["booth"] == "A03"
    r = await hr.post(f"/employer/bookings/{mine['id']}/positions", data={
        **token, "title": "数控车工", "headcount": "4", "job_type": "regular",
        "education": "senior", "experience": "1-3", "salary_min": "6000",
        "salary_max": "9000", "major": "", "description": ""})
    assert r.status_code == 303
    editor = await hr.get(f"/employer/bookings/{mine['id']}/positions", headers=HTML)
    assert "数控车工" in editor.text
    slots = await hr.get(f"/employer/fairs/{online['id']}", headers=HTML)
    assert slots.status_code == 200 and "/book" in slots.text

    for path in ("/organiser/booths", f"/organiser/fairs/{fair['id']}/booths",
                 f"/organiser/fairs/{online['id']}/booths", "/organiser/no-shows",
                 "/organiser"):
        page = await organiser.get(path, headers=HTML)
        assert page.status_code == 200, (path, page.text[:500])
    layout = await organiser.get(f"/organiser/fairs/{fair['id']}/booths", headers=HTML)
    assert "青岛测试企业41有限公司" in layout.text
    anon = new_client()
    jobs = await anon.get(f"/fairs/{fair['id']}/jobs", headers=HTML, params={"q": "数控"})
    assert jobs.status_code == 200 and "数控车工" in jobs.text
    order = await anon.get(f"/fairs/{online['id']}/running-order", headers=HTML)
    assert order.status_code == 200

    otoken = {"_csrf_token": organiser.cookies.get("fairs_csrf")}
    r = await organiser.post(f"/organiser/fairs/{fair['id']}/booths/generate",
                             data={**otoken, "zones": "B", "rows": "2", "cols": "3"})
    assert r.status_code == 303
    codes = [b["code"] for b in (await anon.get(f"/api/v1/fairs/{fair['id']}/booths")).json()[
        "items"]]
    assert "B06" in codes and "A06" in codes
    r = await organiser.post(f"/organiser/fairs/{online['id']}/slots", data={
        **otoken, "starts_at": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"), "minutes": "20"})
    assert r.status_code == 303
    assert len((await anon.get(f"/api/v1/fairs/{online['id']}/slots")).json()["items"]) == 4
    assert (await login_as(new_client, "scanner")).headers  # scanners see none of it
