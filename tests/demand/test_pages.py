"""The employer's needs page (state needs and the staff count, change, withdraw) and the
organisers' pages (the review queue, surveying one employer), as people use them."""

from __future__ import annotations

from datetime import timedelta

from fairs import clock
from tests.demand.conftest import add_need

HTML = {"accept": "text/html"}


def form(**kw) -> dict:
    body = {"title": "叉车司机", "headcount": "2", "education": "junior", "job_type": "regular",
            "pay_unit": "month", "salary_min": "5000", "salary_max": "6500",
            "valid_until": (clock.today_local() + timedelta(days=20)).isoformat(),
            "skills": "持叉车证", "skilled": "1"}
    body.update(kw)
    return body


async def test_an_employer_states_needs_and_its_staff_on_its_page(new_client, world,
                                                                 employer_clients):
    (hr,) = await employer_clients(1)
    page = await hr.get("/employer/needs", params={"lang": "zh_CN"})
    assert page.status_code == 200 and 'name="staff"' in page.text
    assert "尚未填报在职职工人数" in page.text
    home = await hr.get("/employer")
    assert "/employer/needs" in home.text
    staff = await hr.post("/employer/staff-count", data={"staff": "75", "org": "huangdao"},
                          follow_redirects=False)
    assert staff.status_code == 303, staff.text
    made = await hr.post("/employer/needs", data=form(), follow_redirects=False)
    assert made.status_code == 303, made.text
    listed = (await hr.get(f"/api/v1/employers/{hr.employer_id}/needs")).json()["items"]
    assert [(n["title"], n["org"], n["skilled"], n["status"]) for n in listed] == [
        ("叉车司机", "huangdao", True, "draft")]
    page = await hr.get("/employer/needs")
    assert "叉车司机" in page.text and "75" in page.text
    # A fault is shown next to its field, the form kept.
    bad = await hr.post("/employer/needs", data=form(title="焊工", salary_min="9000",
                                                     salary_max="100"))
    assert bad.status_code == 422 and 'value="焊工"' in bad.text
    bad = await hr.post("/employer/needs", data=form(headcount="many"))
    assert bad.status_code == 422
    bad = await hr.post("/employer/staff-count", data={"staff": "-3"})
    assert bad.status_code == 422
    need = listed[0]["id"]
    edit = await hr.get(f"/employer/needs/{need}/edit")
    assert edit.status_code == 200 and "持叉车证" in edit.text
    saved = await hr.post(f"/employer/needs/{need}/edit", data=form(headcount="4"),
                          follow_redirects=False)
    assert saved.status_code == 303
    gone = await hr.post(f"/employer/needs/{need}/withdraw", follow_redirects=False)
    assert gone.status_code == 303
    assert (await hr.get(f"/api/v1/needs/{need}")).json()["status"] == "withdrawn"
    (other,) = await employer_clients(1)
    assert (await other.get(f"/employer/needs/{need}/edit")).status_code == 403
    assert (await other.post(f"/employer/needs/{need}/withdraw")).status_code == 403


async def test_organisers_review_and_survey(staff_clients, employer_clients):
    (hr,) = await employer_clients(1, name="黄岛精密机械有限公司")
    org, jz = staff_clients["organiser"], staff_clients["jiaozhou"]
    await hr.put(f"/api/v1/employers/{hr.employer_id}/staff-count",
                 json={"staff": 50, "org": "xha"})
    need = await add_need(hr, hr.employer_id)
    queue = await org.get("/organiser/needs")
    assert queue.status_code == 200 and f'data-need="{need["id"]}"' in queue.text
    assert f'data-need="{need["id"]}"' not in (await jz.get("/organiser/needs")).text
    assert (await jz.post(f"/organiser/needs/{need['id']}/publish")).status_code == 403
    done = await org.post(f"/organiser/needs/{need['id']}/publish", follow_redirects=False)
    assert done.status_code == 303
    assert (await org.get(f"/api/v1/needs/{need['id']}")).json()["status"] == "published"
    taken = await org.post(f"/organiser/needs/{need['id']}/reject", data={"reason": "岗位已满"},
                           follow_redirects=False)
    assert taken.status_code == 303
    assert (await org.get(f"/api/v1/needs/{need['id']}")).json()["status"] == "rejected"
    # Survey: find the employer, record its staff and a need for it.
    found = await org.get("/organiser/needs", params={"q": "黄岛精密"})
    assert f"/organiser/employers/{hr.employer_id}/needs" in found.text
    page = await org.get(f"/organiser/employers/{hr.employer_id}/needs")
    assert page.status_code == 200 and "电焊工" in page.text
    assert (await jz.get(f"/organiser/employers/{hr.employer_id}/needs")).status_code == 403
    r = await org.post(f"/organiser/employers/{hr.employer_id}/staff-count",
                       data={"staff": "55", "org": "xha"}, follow_redirects=False)
    assert r.status_code == 303
    r = await org.post(f"/organiser/employers/{hr.employer_id}/needs",
                       data=form(title="装配钳工"), follow_redirects=False)
    assert r.status_code == 303
    r = await jz.post(f"/organiser/employers/{hr.employer_id}/needs", data=form())
    assert r.status_code == 403
    titles = [n["title"] for n in (await org.get(
        f"/api/v1/employers/{hr.employer_id}/needs")).json()["items"]]
    assert titles == ["装配钳工", "电焊工"]
    edit = await org.get(f"/organiser/needs/{need['id']}/edit")
    assert edit.status_code == 200
    assert (await jz.get(f"/organiser/needs/{need['id']}/edit")).status_code == 403
    home = await org.get("/organiser")
    assert "/organiser/needs" in home.text
