"""Hires in the measures: intentions whose follow-up says hired, each once, the same in the
API, the report page, the workbook and the CSV, and in a plan's progress; and the funnel
(registered -> admitted -> interested -> intentions -> hires) on a worked example, with rates."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl

from fairs import clock, db
from fairs.reports.exports import HEADINGS
from tests.followup.helpers import build, hold, task_id
from tests.reports.helpers import ok, register


async def measures(client, **params) -> dict:
    return await ok(await client.get("/api/v1/reports/measures", params=params))


async def test_hires_count_each_intention_once_everywhere(app, new_client, world):
    s = await build(app, new_client, world)
    org = s["organiser"]
    start = await hold(s["fair"]["id"])
    day = clock.today_local().isoformat()  # the intentions were recorded today
    # i1: hired by the organiser's call, then confirmed by the employer too: one hire.
    first = await task_id(org, s["i1"]["id"], 1)
    await ok(await org.post(f"/api/v1/followups/{first}",
                            json={"outcome": "hired", "started_on": day}))
    await ok(await s["e1"].post(f"/api/v1/intentions/{s['i1']['id']}/hire",
                                json={"started_on": day}))
    # i3: in process, then hired at 30 days; i2: declined.
    t3 = await task_id(org, s["i3"]["id"], 1)
    await ok(await org.post(f"/api/v1/followups/{t3}", json={"outcome": "in_process"}))
    t3b = await task_id(org, s["i3"]["id"], 2)
    await ok(await org.post(f"/api/v1/followups/{t3b}",
                            json={"outcome": "hired", "started_on": day}))
    t2 = await task_id(org, s["i2"]["id"], 1)
    await ok(await org.post(f"/api/v1/followups/{t2}", json={"outcome": "declined"}))
    rows = await db.fetch("SELECT COUNT(*) AS n FROM followup_task WHERE outcome = 'hired'")
    assert rows[0]["n"] == 2
    window = {"from": (start - timedelta(days=1)).date().isoformat(),
              "to": (start + timedelta(days=1)).date().isoformat()}
    found = await measures(org, **window)
    assert (found["intentions"], found["hires"]) == (3, 2)
    # The workbook and the CSV say the same.
    book = openpyxl.load_workbook(io.BytesIO(
        (await org.get("/reports/measures.xlsx", params=window)).content))
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True) if r[0]}
    assert summary[HEADINGS["hires"]] == 2 == summary["实现就业（人）"]
    table = list(csv.reader(io.StringIO(
        (await org.get("/reports/measures.csv", params=window)).content.decode("utf-8-sig"))))
    assert table[1][2 + list(HEADINGS).index("hires")] == "2"
    assert table[0][2 + list(HEADINGS).index("hires")] == "实现就业（人）"
    # The report page shows it under its one label.
    page = await org.get("/organiser/reports", params=window, headers={"accept": "text/html"})
    assert '<div data-measure="hires"><dt>实现就业</dt><dd>2</dd></div>' in page.text
    # Another district sees none of it; a window without the fair neither.
    jiaozhou = await (new_client()).login("jiaozhou")
    assert (await measures(jiaozhou, **window))["hires"] == 0
    # A correction un-counts it.
    await ok(await org.post(f"/api/v1/followups/{t3b}", json={"outcome": "unreachable"}))
    assert (await measures(org, **window))["hires"] == 1


async def test_a_plan_shows_intentions_and_hires(app, new_client, world):
    s = await build(app, new_client, world)
    org = s["organiser"]
    start = await hold(s["fair"]["id"], days_ago=10)
    await ok(await s["e2"].post(f"/api/v1/intentions/{s['i3']['id']}/hire",
                                json={"started_on": clock.today_local().isoformat()}))
    plan = await ok(await org.post("/api/v1/plans", json={
        "title": "回访计划", "starts_on": (start - timedelta(days=5)).date().isoformat(),
        "ends_on": (start + timedelta(days=60)).date().isoformat(),
        "targets": {"offline": 1}}), 201)
    progress = await ok(await org.get(f"/api/v1/plans/{plan['id']}/progress"))
    assert progress["attendance"]["hires"] == 1
    assert progress["attendance"]["intentions"] == 3
    page = await org.get(f"/organiser/plans/{plan['id']}", headers={"accept": "text/html"})
    assert '<div data-measure="hires"><dt>实现就业</dt><dd>1</dd></div>' in page.text


async def test_the_funnel_on_a_worked_example(app, new_client, world):
    """The fair of tests/followup/helpers.py, and on it:
    registered 4 (T1-T3 admitted, T4 never came) -> admitted 3 -> interested 3 (T1 in P1 and P2,
    T2 in P1) -> intentions 3 -> hires 1 (T1's).
    Rates of the step before: 3/4, 3/3, 3/3, 1/3; of registered: 3/4, 3/4, 3/4, 1/4."""
    s = await build(app, new_client, world)
    org = s["organiser"]
    await register(s["fair"]["id"], "李四", ["graduates"])
    public = new_client()
    for ticket, position in ((s["t1"], s["p1"]), (s["t1"], s["p2"]), (s["t2"], s["p1"])):
        await ok(await public.post(f"/api/v1/positions/{position}/interests",
                                   json={"secret": ticket["secret"]}), 201)
    start = await hold(s["fair"]["id"])
    first = await task_id(org, s["i1"]["id"], 1)
    await ok(await org.post(f"/api/v1/followups/{first}", json={
        "outcome": "hired", "started_on": clock.today_local().isoformat()}))
    window = {"from": (start - timedelta(days=1)).date().isoformat(),
              "to": (start + timedelta(days=1)).date().isoformat()}
    expected = {"registered": 4, "admitted": 3, "interested": 3, "intentions": 3, "hires": 1}
    rates = {"admitted": {"of_previous": 0.75, "of_registered": 0.75},
             "interested": {"of_previous": 1.0, "of_registered": 0.75},
             "intentions": {"of_previous": 1.0, "of_registered": 0.75},
             "hires": {"of_previous": 0.3333, "of_registered": 0.25}}
    for by, key in (("total", ""), ("fair", str(s["fair"]["id"])),
                    ("month", start.strftime("%Y-%m")), ("industry", "software")):
        found = await ok(await org.get("/api/v1/reports/funnel", params={**window, "by": by}))
        assert found["steps"] == list(expected)
        [row] = found["items"]
        assert row["key"] == key
        assert {k: row[k] for k in expected} == expected, by
        assert row["rates"] == rates
        assert {k: found["totals"][k] for k in expected} == expected
    # By the job seekers' target groups: small cells suppressed, their rates unknown.
    found = await ok(await org.get("/api/v1/reports/funnel", params={**window,
                                                                      "by": "audience"}))
    graduates = next(r for r in found["items"] if r["key"] == "graduates")
    assert graduates["registered"] == "<5" and graduates["rates"]["hires"]["of_previous"] is None
    empty = next(r for r in found["items"] if r["key"] == "disabled")
    assert empty["registered"] == 0
    # The workbook's funnel sheet and the page say the same.
    book = openpyxl.load_workbook(io.BytesIO(
        (await org.get("/reports/measures.xlsx", params=window)).content))
    sheet = list(book["转化漏斗"].iter_rows(values_only=True))
    assert sheet[0][:7] == ("分组", "项目", "报名人数", "进场人数", "岗位意向（人次）",
                            "达成初步就业意向（人次）", "实现就业（人）")
    assert sheet[1][:7] == ("漏斗·汇总", "合计", 4, 3, 3, 3, 1)
    assert sheet[1][7:] == (0.75, 1.0, 1.0, 0.3333, 0.75, 0.75, 0.25)
    page = await org.get("/organiser/reports", params=window, headers={"accept": "text/html"})
    assert 'id="funnel"' in page.text and "从报名到就业" in page.text
    section = page.text.split('data-funnel="fair"', 1)[1].split("</table>", 1)[0]
    row = section.split(f'data-key="{s["fair"]["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num" data-step="registered">4' in row
    assert '<span class="muted" data-rate="hires">33.3%</span>' in row
    assert '<td class="num" data-rate="hires-of-registered">25.0%</td>' in row
    bad = await org.get("/api/v1/reports/funnel", params={"by": "planet"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "by"
    assert (await org.get("/api/v1/reports/funnel")).status_code == 200
