"""Needs (用工需求) through the API: an employer states them (a draft), the organisers over the
organisation a need is filed with publish or return them, the employer changes or withdraws
them; staff counts by month; and what outsiders (another employer, another district, anyone)
are refused."""

from __future__ import annotations

from datetime import timedelta

from fairs import clock
from tests.demand.conftest import add_need, need_body
from tests.test_accounts import problem


async def test_an_employer_states_a_need_and_an_organiser_publishes_it(
        new_client, staff_clients, employer_clients):
    (hr,) = await employer_clients(1)
    organiser = staff_clients["organiser"]
    # The employer reports its staff to the West Coast New Area: its district from now on.
    staff = await hr.put(f"/api/v1/employers/{hr.employer_id}/staff-count",
                         json={"staff": 120, "org": "xha"})
    assert staff.status_code == 200, staff.text
    assert staff.json() == {"employer": hr.employer_id, "month": clock.today_local().strftime(
        "%Y-%m"), "staff": 120, "org": "xha"}
    made = await add_need(hr, hr.employer_id)
    assert made == {"id": made["id"], "status": "draft"}
    need = (await hr.get(f"/api/v1/needs/{made['id']}")).json()
    assert need["org"] == "xha" and need["skilled"] is True and need["monthly_pay"] == 7000
    # Not listed yet: the public does not see a draft.
    problem(await new_client().get(f"/api/v1/needs/{made['id']}"), 404)
    queue = (await organiser.get("/api/v1/needs")).json()
    assert [n["id"] for n in queue["items"]] == [made["id"]]
    published = await organiser.post(f"/api/v1/needs/{made['id']}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]
    public = await new_client().get(f"/api/v1/needs/{made['id']}")
    assert public.status_code == 200 and public.json()["title"] == "电焊工"
    # The employer changes it: back to review, out of the catalogue.
    changed = await hr.patch(f"/api/v1/needs/{made['id']}", json={"headcount": 5})
    assert changed.json()["status"] == "draft" and changed.json()["headcount"] == 5
    problem(await new_client().get(f"/api/v1/needs/{made['id']}"), 404)
    # The organiser returns it with a reason, then publishes it after all.
    returned = await organiser.post(f"/api/v1/needs/{made['id']}/reject",
                                    json={"reason": "薪酬填写有误"})
    assert returned.json()["status"] == "rejected"
    assert returned.json()["reject_reason"] == "薪酬填写有误"
    await organiser.post(f"/api/v1/needs/{made['id']}/publish")
    # The employer withdraws it: final.
    withdrawn = await hr.post(f"/api/v1/needs/{made['id']}/withdraw")
    assert withdrawn.json()["status"] == "withdrawn"
    body = problem(await organiser.post(f"/api/v1/needs/{made['id']}/publish"), 409)
    assert body["code"] == "need_withdrawn"
    problem(await hr.patch(f"/api/v1/needs/{made['id']}", json={"headcount": 2}), 409)
    listed = (await hr.get(f"/api/v1/employers/{hr.employer_id}/needs")).json()
    assert [(n["id"], n["status"]) for n in listed["items"]] == [(made["id"], "withdrawn")]


async def test_an_organiser_states_needs_for_an_employer_of_its_district(
        staff_clients, employer_clients):
    """The survey: an organiser records an employer's staff and needs; the employer is then in
    its district, and another district may not act for it."""
    (hr,) = await employer_clients(1)
    gzk, organiser, jiaozhou = (staff_clients[k] for k in ("gzk", "organiser", "jiaozhou"))
    # gzk surveys a company nobody has surveyed yet: it files it with gzk.
    r = await gzk.put(f"/api/v1/employers/{hr.employer_id}/staff-count", json={"staff": 40})
    assert r.json()["org"] == "gzk"
    made = await add_need(gzk, hr.employer_id, title="数控车工")
    need = (await gzk.get(f"/api/v1/needs/{made['id']}")).json()
    assert need["org"] == "gzk"
    # xha is above gzk: it may publish; Jiaozhou, a sibling district, may not.
    problem(await jiaozhou.post(f"/api/v1/needs/{made['id']}/publish"), 403)
    problem(await jiaozhou.post(f"/api/v1/employers/{hr.employer_id}/needs", json=need_body()),
            403)
    problem(await jiaozhou.put(f"/api/v1/employers/{hr.employer_id}/staff-count",
                               json={"staff": 1}), 403)
    problem(await jiaozhou.get(f"/api/v1/employers/{hr.employer_id}/needs"), 403)
    problem(await jiaozhou.patch(f"/api/v1/needs/{made['id']}", json={"headcount": 9}), 403)
    problem(await jiaozhou.post(f"/api/v1/needs/{made['id']}/withdraw"), 403)
    problem(await jiaozhou.get(f"/api/v1/needs/{made['id']}"), 404)
    # ... nor file a need of its own district for it.
    problem(await gzk.post(f"/api/v1/employers/{hr.employer_id}/needs",
                           json=need_body(org="jiaozhou")), 403)
    assert (await organiser.post(f"/api/v1/needs/{made['id']}/publish")).status_code == 200
    # gzk (a sub-area) is not over xha's needs.
    other = await add_need(organiser, hr.employer_id, org="xha")
    problem(await gzk.post(f"/api/v1/needs/{other['id']}/publish"), 403)
    # Jiaozhou's queue does not hold them, nor may it look into xha's.
    assert (await jiaozhou.get("/api/v1/needs")).json()["total"] == 0
    problem(await jiaozhou.get("/api/v1/needs", params={"org": "xha"}), 403)
    body = problem(await jiaozhou.get("/api/v1/needs", params={"org": "mars"}), 422)
    assert body["errors"][0]["field"] == "org"
    assert (await organiser.get("/api/v1/needs")).json()["total"] == 1
    # The employer sees all its needs; the staff reports are its own too.
    assert (await hr.get(f"/api/v1/employers/{hr.employer_id}/needs")).json()["total"] == 2
    reports = (await hr.get(f"/api/v1/employers/{hr.employer_id}/staff-count")).json()
    assert [(r["staff"], r["org"]) for r in reports["items"]] == [(40, "gzk")]


async def test_another_employer_cannot_touch_your_needs(new_client, staff_clients,
                                                       employer_clients):
    a, b = await employer_clients(2)
    made = await add_need(a, a.employer_id)
    problem(await b.post(f"/api/v1/employers/{a.employer_id}/needs", json=need_body()), 403)
    problem(await b.put(f"/api/v1/employers/{a.employer_id}/staff-count",
                        json={"staff": 1}), 403)
    problem(await b.get(f"/api/v1/employers/{a.employer_id}/needs"), 403)
    problem(await b.patch(f"/api/v1/needs/{made['id']}", json={"headcount": 1}), 403)
    problem(await b.post(f"/api/v1/needs/{made['id']}/withdraw"), 403)
    problem(await b.get(f"/api/v1/needs/{made['id']}"), 404)
    problem(await b.post(f"/api/v1/needs/{made['id']}/publish"), 403)  # organisers only
    problem(await a.post(f"/api/v1/needs/{made['id']}/publish"), 403)  # not even its own
    anonymous = new_client()
    problem(await anonymous.post(f"/api/v1/employers/{a.employer_id}/needs", json=need_body()),
            401)
    problem(await anonymous.get("/api/v1/needs"), 401)
    assert (await a.get(f"/api/v1/needs/{made['id']}")).json()["status"] == "draft"


async def test_bad_input_is_a_422_naming_the_field(employer_clients):
    (hr,) = await employer_clients(1)
    url = f"/api/v1/employers/{hr.employer_id}/needs"
    today = clock.today_local()
    cases = [
        ({"salary_min": 9000, "salary_max": 3000}, "salary_max"),
        ({"pay_unit": "week"}, "pay_unit"),
        ({"pay_unit": "hour", "salary_min": 3000, "salary_max": 5000}, "salary_min"),
        ({"education": "phd"}, "education"),
        ({"job_type": "freelance"}, "job_type"),
        ({"valid_until": (today - timedelta(days=1)).isoformat()}, "valid_until"),
        ({"valid_until": (today + timedelta(days=400)).isoformat()}, "valid_until"),
        ({"valid_until": "2026-02-30"}, "valid_until"),
        ({"valid_until": "3000-01-01"}, "valid_until"),
        ({"headcount": 0}, "headcount"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"skills": "x" * 2001}, "skills"),
        ({"skilled": 1}, "skilled"),
        ({"org": "nowhere"}, "org"),
    ]
    for change, field in cases:
        response = await hr.post(url, json=need_body(**change))
        assert response.status_code in (400, 422), (change, response.text)
        body = response.json()
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, (change, body)
    staff_url = f"/api/v1/employers/{hr.employer_id}/staff-count"
    for body, field in (({"staff": -1}, "staff"), ({"staff": 5, "month": "2026-13"}, "month"),
                        ({"staff": 5, "month": "2100-12"}, "month")):
        response = await hr.put(staff_url, json=body)
        assert response.status_code in (400, 422), response.text
        assert field in [e["field"] for e in response.json()["errors"]]
    made = await add_need(hr, hr.employer_id)
    body = problem(await hr.patch(f"/api/v1/needs/{made['id']}",
                                  json={"salary_min": 9000}), 422)
    assert body["errors"][0]["field"] == "salary_max"


async def test_a_staff_report_for_the_same_month_replaces_the_first(employer_clients):
    (hr,) = await employer_clients(1)
    url = f"/api/v1/employers/{hr.employer_id}/staff-count"
    for staff in (100, 110):
        assert (await hr.put(url, json={"staff": staff, "month": "2026-01",
                                        "org": "xha"})).status_code == 200
    await hr.put(url, json={"staff": 90, "month": "2025-12", "org": "xha"})
    items = (await hr.get(url)).json()["items"]
    assert [(i["month"], i["staff"]) for i in items] == [("2026-01", 110), ("2025-12", 90)]
