"""The pages: the call list with masked numbers (the full number only after a POST that is
audited), the graduates' tab, the outcome form, and the employer's page to confirm a hire."""

from __future__ import annotations

import re

from fairs import clock, db
from tests.conftest import login_as
from tests.followup.helpers import build, task_id, tasks_of

HTML = {"accept": "text/html"}


def csrf(client) -> dict:
    return {"x-csrf-token": client.cookies.get("fairs_csrf")}


async def phone_of(code: str) -> str:
    rows = await db.fetch("SELECT phone FROM registration WHERE code = {}", code)
    return rows[0]["phone"][3:]


async def test_numbers_are_masked_until_a_click_that_is_audited(app, new_client, world):
    s = await build(app, new_client, world)
    org = s["organiser"]
    full = await phone_of(s["t1"]["code"])
    masked = full[:3] + "****" + full[-4:]
    listed = await org.get("/api/v1/followups")
    assert full not in listed.text and masked in listed.text
    page = await org.get("/organiser/followups", headers=HTML)
    assert page.status_code == 200
    assert full not in page.text and masked in page.text and "赵*" in page.text
    task = await task_id(org, s["i1"]["id"], 1)
    detail = await org.get(f"/organiser/followups/{task}", headers=HTML)
    assert full not in detail.text and masked in detail.text
    assert await db.fetch("SELECT id FROM audit_entry WHERE action = 'followup.phone'") == []
    # The click: a POST that answers the number and records who looked.
    shown = await org.post(f"/organiser/followups/{task}/phone", headers={**HTML, **csrf(org)})
    assert shown.status_code == 200, shown.text[:500]
    assert f'href="tel:{full}"' in shown.text and "赵一" in shown.text
    answer = await org.post(f"/api/v1/followups/{task}/phone")
    assert answer.status_code == 200
    assert answer.json()["national"] == full and answer.json()["name"] == "赵一"
    rows = await db.fetch("SELECT actor, object_id, org_path FROM audit_entry "
                          "WHERE action = 'followup.phone'")
    assert [(r["actor"], r["object_id"]) for r in rows] == [("organiser", str(task))] * 2
    assert all(r["org_path"] for r in rows)
    log = await org.get("/organiser/audit", headers=HTML)
    assert f"查看了回访 #{task} 的电话号码" in log.text
    # An erased registration has no number to show.
    await db.execute("UPDATE registration SET phone = '#' || CAST(id AS TEXT), name = '' "
                     "WHERE code = {}", s["t1"]["code"])
    answer = await org.post(f"/api/v1/followups/{task}/phone")
    assert answer.json()["phone"] is None


async def test_the_graduates_tab_and_the_outcome_form(app, new_client, world):
    s = await build(app, new_client, world)
    org = s["organiser"]
    page = await org.get("/organiser/followups/graduates", headers=HTML)
    assert page.status_code == 200
    assert "高校毕业生实名制跟踪" in page.text
    rows = set(re.findall(r'data-followup="(\d+)"', page.text))
    wanted = {str(t["id"]) for t in await tasks_of(s["i1"]["id"])}
    assert rows == wanted
    everyone = await org.get("/organiser/followups", headers=HTML)
    assert len(set(re.findall(r'data-followup="(\d+)"', everyone.text))) == 9
    assert "回访台账" in everyone.text
    task = await task_id(org, s["i1"]["id"], 1)
    bad = await org.post(f"/organiser/followups/{task}", data={"outcome": "hired"},
                         headers={**HTML, **csrf(org)})
    assert bad.status_code == 422 and "已就业须填写入职日期" in bad.text
    day = clock.today_local().isoformat()
    done = await org.post(f"/organiser/followups/{task}",
                          data={"outcome": "hired", "started_on": day, "notes": "已入职"},
                          headers={**HTML, **csrf(org)})
    assert done.status_code == 303
    assert [t["status"] for t in await tasks_of(s["i1"]["id"])] == ["done", "closed", "closed"]
    shown = await org.get(done.headers["location"], headers=HTML)
    assert 'id="notice"' in shown.text and "已就业" in shown.text
    closed = await task_id(org, s["i1"]["id"], 2)
    again = await org.post(f"/organiser/followups/{closed}", data={"outcome": "declined"},
                           headers={**HTML, **csrf(org)})
    assert again.status_code == 409 and "本次回访已关闭" in again.text
    # The organiser's home links to the call list, whose tab is the graduates' list.
    home = await org.get("/organiser", headers=HTML)
    assert 'href="/organiser/followups"' in home.text
    assert 'href="/organiser/followups/graduates"' in everyone.text


async def test_the_employer_confirms_a_hire_on_its_page(app, new_client, world):
    s = await build(app, new_client, world)
    rows = await db.fetch("SELECT username FROM app_user WHERE id = {}", s["e1"].user_id)
    staff = await new_client().login(rows[0]["username"], "employer-pass-1")
    page = await staff.get("/employer/hires", headers=HTML)
    assert page.status_code == 200
    assert set(re.findall(r'data-intention="(\d+)"', page.text)) == {
        str(s["i1"]["id"]), str(s["i2"]["id"])}
    home = await staff.get("/employer", headers=HTML)
    assert 'href="/employer/hires"' in home.text
    day = clock.today_local().isoformat()
    done = await staff.post(f"/employer/intentions/{s['i2']['id']}/hire",
                            data={"started_on": day}, headers={**HTML, **csrf(staff)})
    assert done.status_code == 303 and done.headers["location"] == "/employer/hires?notice=hired"
    assert [t["outcome"] for t in await tasks_of(s["i2"]["id"])] == ["hired", None, None]
    other = await staff.post(f"/employer/intentions/{s['i3']['id']}/hire",
                             data={"started_on": day}, headers={**HTML, **csrf(staff)})
    assert other.status_code == 403
    organiser = await login_as(new_client, "organiser")
    refused = await organiser.get("/employer/hires", headers=HTML)
    assert refused.status_code == 403
