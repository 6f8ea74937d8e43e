"""A position's pay unit (issue 15): month, day or hour, stored, validated per unit, shown with
its unit everywhere pay is shown; positions are edited on their page, not only removed."""

from __future__ import annotations

from tests.conftest import login_as
from tests.employers.conftest import make_fair, registration
from tests.test_accounts import problem

GIG = {"title": "群众演员", "headcount": 20, "education": "any", "job_type": "gig",
       "salary_min": 180, "salary_max": 260}


async def _booked(organiser, world, hr) -> tuple[dict, dict]:
    fair = await make_fair(organiser, world, booths=2)
    booking = (await hr.post(f"/api/v1/fairs/{fair['id']}/bookings",
                             json={"booth": "A01"})).json()
    return fair, booking


async def test_pay_unit_in_the_api(new_client, world, organiser, employer_clients):
    hr, other = await employer_clients(2)
    fair, booking = await _booked(organiser, world, hr)
    url = f"/api/v1/bookings/{booking['id']}/positions"
    # A day rate is a day rate: "180–260 元/天", never "元/月".
    made = await hr.post(url, json={**GIG, "pay_unit": "day"})
    assert made.status_code == 201, made.text
    assert made.json()["pay_unit"] == "day" and made.json()["salary_max"] == 260
    # The field is optional: a position without it is paid by the month, as before.
    monthly = await hr.post(url, json={"title": "数控车工", "headcount": 3, "salary_min": 6000,
                                       "salary_max": 9000})
    assert monthly.status_code == 201 and monthly.json()["pay_unit"] == "month"
    assert (await hr.post(url, json={**GIG, "pay_unit": "小时", "salary_min": 25,
                                     "salary_max": 35})).json()["pay_unit"] == "hour"
    # Bounds per unit, naming the field: 180 a month is a day rate typed as a month ...
    body = problem(await hr.post(url, json=GIG), 422)
    assert body["errors"][0]["field"] == "salary_min"
    assert body["errors"][0]["code"] == "out_of_range"
    # ... and 8,000 a day a monthly pay in the wrong unit.
    body = problem(await hr.post(url, json={**GIG, "pay_unit": "day", "salary_min": 0,
                                            "salary_max": 8000 * 10}), 422)
    assert body["errors"][0]["field"] == "salary_max"
    body = problem(await hr.post(url, json={**GIG, "pay_unit": "week"}), 422)
    assert body["errors"][0]["field"] == "pay_unit"
    listed = (await new_client().get(f"/api/v1/fairs/{fair['id']}/positions")).json()
    assert sorted(p["pay_unit"] for p in listed["items"]) == ["day", "hour", "month"]

    # PATCH on the position changes its unit (and checks the pay against the new one).
    pid = monthly.json()["id"]
    body = problem(await hr.patch(f"/api/v1/positions/{pid}", json={"pay_unit": "hour"}), 422)
    assert body["errors"][0]["field"] == "salary_min"
    changed = await hr.patch(f"/api/v1/positions/{pid}", json={
        "pay_unit": "day", "salary_min": 200, "salary_max": 300, "title": "日结车工"})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["pay_unit"], changed.json()["salary_min"],
            changed.json()["title"], changed.json()["headcount"]) == ("day", 200, "日结车工", 3)
    problem(await other.patch(f"/api/v1/positions/{pid}", json={"pay_unit": "month"}), 403)

    # The jobs list shows the unit, in the reader's language.
    zh = await new_client().get(f"/fairs/{fair['id']}/jobs", headers={"accept-language": "zh-CN"})
    assert "180–260 元/天" in zh.text and "25–35 元/小时" in zh.text
    assert "180–260 元/月" not in zh.text
    en = await new_client().get(f"/fairs/{fair['id']}/jobs", headers={"accept-language": "en"})
    assert "180–260 CNY/day" in en.text and "25–35 CNY/hour" in en.text


async def test_position_edited_on_its_page(new_client, world, organiser):
    await new_client().post("/api/v1/employers", json=registration(61))
    hr = await new_client().login("hr61", "employer-pass-1")
    employer_id = (await hr.get("/api/v1/auth/me")).json()["employer"]
    await organiser.post(f"/api/v1/employers/{employer_id}/approve")
    fair, booking = await _booked(organiser, world, hr)
    made = (await hr.post(f"/api/v1/bookings/{booking['id']}/positions", json={
        "title": "展会现场服务", "headcount": 4, "salary_min": 3000, "salary_max": 4000})).json()
    token = {"_csrf_token": hr.cookies.get("fairs_csrf")}
    html = {"accept": "text/html", "accept-language": "zh-CN"}

    listing = await hr.get(f"/employer/bookings/{booking['id']}/positions", headers=html)
    assert f'href="/employer/positions/{made["id"]}/edit"' in listing.text
    assert "3,000–4,000 元/月" in listing.text
    form = await hr.get(f"/employer/positions/{made['id']}/edit", headers=html)
    assert form.status_code == 200 and 'value="展会现场服务"' in form.text
    assert '<option value="month" selected' in form.text

    bad = await hr.post(f"/employer/positions/{made['id']}/edit", headers=html, data={
        **token, "title": "展会现场服务", "headcount": "4", "pay_unit": "hour",
        "salary_min": "3000", "salary_max": "4000"})
    assert bad.status_code == 422 and "元/小时" in bad.text  # the message names the unit
    assert (await hr.get(f"/api/v1/bookings/{booking['id']}/positions")).json()["items"][0][
        "pay_unit"] == "month"

    saved = await hr.post(f"/employer/positions/{made['id']}/edit", data={
        **token, "title": "展会现场服务（日结）", "headcount": "6", "job_type": "gig",
        "education": "any", "experience": "any", "pay_unit": "day", "salary_min": "160",
        "salary_max": "220", "major": "", "description": "三天展期"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/employer/bookings/{booking['id']}/positions"
    item = (await hr.get(f"/api/v1/bookings/{booking['id']}/positions")).json()["items"][0]
    assert (item["title"], item["headcount"], item["pay_unit"], item["salary_min"],
            item["description"]) == ("展会现场服务（日结）", 6, "day", 160, "三天展期")
    public = await new_client().get(f"/fairs/{fair['id']}/employers/{employer_id}",
                                    headers=html)
    assert public.status_code == 200 and "160–220 元/天" in public.text

    other = await login_as(new_client, "organiser")
    assert (await other.get(f"/employer/positions/{made['id']}/edit", headers=html)
            ).status_code == 403
