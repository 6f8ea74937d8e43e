"""Vacancy (缺工) monitoring on a worked example: open headcount (published needs valid in a
month) against staff (the latest report at or before it), 缺工率 = open / (staff + open), by
month, industry and district, and the employers with the largest gaps first.

In 2027 (the clock frozen on the 10th of each month):
- S, a shipyard surveyed by gzk (below xha): staff 90 from January. Need A, 10 welders,
  published 10 January, valid to 20 February; need B, 5 fitters, published 10 February,
  valid to 31 March, withdrawn 10 March (it was listed in March, so it counts there).
- T, a software company of Huangdao street (below xha): staff 40 in January, 45 from March.
  Need C, 10 developers, published 10 January, valid to 30 April; need D, 100 testers, a
  draft never published.
- L, a logistics firm of Jiaozhou (a sibling district): staff 300 from February; need E, 50
  drivers, published 10 February, valid to 31 March.

For xha: January open 20 / staff 130; February 25 / 130; March 15 / 135.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from fairs import clock
from fairs.i18n import TZ
from tests.demand.conftest import add_need
from tests.test_accounts import problem


def day(month: int, d: int = 10) -> datetime:
    return datetime(2027, month, d, 10, tzinfo=TZ)


@pytest.fixture
async def example(staff_clients, employer_clients):
    s = (await employer_clients(1, industry="shipbuilding"))[0]
    t = (await employer_clients(1, industry="software"))[0]
    ll = (await employer_clients(1, industry="logistics"))[0]
    org, gzk, jz = (staff_clients[k] for k in ("organiser", "gzk", "jiaozhou"))

    async def ok(response):
        assert response.status_code in (200, 201), response.text
        return response.json()

    with clock.frozen(day(1)):
        await ok(await gzk.put(f"/api/v1/employers/{s.employer_id}/staff-count",
                               json={"staff": 90}))
        await ok(await t.put(f"/api/v1/employers/{t.employer_id}/staff-count",
                             json={"staff": 40, "org": "huangdao"}))
        a = await add_need(gzk, s.employer_id, title="电焊工", headcount=10,
                           valid_until="2027-02-20")
        c = await add_need(t, t.employer_id, title="开发工程师", headcount=10,
                           valid_until="2027-04-30")
        await add_need(t, t.employer_id, title="测试员", headcount=100,
                       valid_until="2027-04-30")
        await ok(await gzk.post(f"/api/v1/needs/{a['id']}/publish"))
        await ok(await org.post(f"/api/v1/needs/{c['id']}/publish"))
    with clock.frozen(day(2)):
        b = await add_need(s, s.employer_id, title="管系装配工", headcount=5,
                           valid_until="2027-03-31")
        await ok(await org.post(f"/api/v1/needs/{b['id']}/publish"))
        await ok(await ll.put(f"/api/v1/employers/{ll.employer_id}/staff-count",
                              json={"staff": 300, "org": "jiaozhou"}))
        e = await add_need(ll, ll.employer_id, title="货车司机", headcount=50,
                           valid_until="2027-03-31")
        await ok(await jz.post(f"/api/v1/needs/{e['id']}/publish"))
    with clock.frozen(day(3)):
        await ok(await t.put(f"/api/v1/employers/{t.employer_id}/staff-count",
                             json={"staff": 45}))
        await ok(await s.post(f"/api/v1/needs/{b['id']}/withdraw"))
    return {"S": s.employer_id, "T": t.employer_id, "L": ll.employer_id}


async def test_vacancy_by_month_industry_and_district(staff_clients, example):
    org = staff_clients["organiser"]
    with clock.frozen(day(3, 20)):
        r = await org.get("/api/v1/reports/vacancy", params={"from": "2027-01", "to": "2027-03"})
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["org"] == "xha" and found["months"] == ["2027-01", "2027-02", "2027-03"]
    assert found["totals"] == [
        {"month": "2027-01", "open": 20, "staff": 130, "rate": round(20 / 150, 4)},
        {"month": "2027-02", "open": 25, "staff": 130, "rate": round(25 / 155, 4)},
        {"month": "2027-03", "open": 15, "staff": 135, "rate": 0.1},
    ]
    assert [(i["month"], i["industry"], i["district"], i["open"], i["staff"])
            for i in found["items"]] == [
        ("2027-01", "shipbuilding", "gzk", 10, 90), ("2027-01", "software", "huangdao", 10, 40),
        ("2027-02", "shipbuilding", "gzk", 15, 90), ("2027-02", "software", "huangdao", 10, 40),
        ("2027-03", "shipbuilding", "gzk", 5, 90), ("2027-03", "software", "huangdao", 10, 45),
    ]
    assert found["items"][4]["rate"] == round(5 / 95, 4)
    assert [(e["employer"], e["open"], e["staff"], e["rate"]) for e in found["top"]] == [
        (example["T"], 10, 45, round(10 / 55, 4)), (example["S"], 5, 90, round(5 / 95, 4))]
    # One industry; and gzk sees its own employer only, as its own row.
    soft = (await org.get("/api/v1/reports/vacancy", params={
        "from": "2027-03", "to": "2027-03", "industry": "software"})).json()
    assert soft["totals"] == [{"month": "2027-03", "open": 10, "staff": 45,
                               "rate": round(10 / 55, 4)}]
    mine = (await staff_clients["gzk"].get("/api/v1/reports/vacancy", params={
        "from": "2027-02", "to": "2027-02"})).json()
    assert [(i["district"], i["open"], i["staff"]) for i in mine["items"]] == [("gzk", 15, 90)]
    # The admin sees the city: the districts xha and Jiaozhou.
    city = (await staff_clients["admin"].get("/api/v1/reports/vacancy", params={
        "from": "2027-03", "to": "2027-03"})).json()
    assert sorted((i["district"], i["open"], i["staff"]) for i in city["items"]) == [
        ("jiaozhou", 50, 300), ("xha", 5, 90), ("xha", 10, 45)]
    assert city["top"][0]["employer"] == example["L"]


async def test_vacancy_is_the_organisers_and_bounded(new_client, staff_clients,
                                                   employer_clients, example):
    jz = staff_clients["jiaozhou"]
    problem(await jz.get("/api/v1/reports/vacancy", params={"org": "xha"}), 403)
    problem(await new_client().get("/api/v1/reports/vacancy"), 401)
    (hr,) = await employer_clients(1)
    problem(await hr.get("/api/v1/reports/vacancy"), 403)
    org = staff_clients["organiser"]
    for params, field in (({"from": "2027-13"}, "from"), ({"to": "27-01"}, "to"),
                          ({"from": "2020-01", "to": "2027-03"}, "from"),
                          ({"from": "2027-03", "to": "2027-01"}, "to"),
                          ({"industry": "mining"}, "industry"), ({"org": "mars"}, "org")):
        body = problem(await org.get("/api/v1/reports/vacancy", params=params), 422)
        assert body["errors"][0]["field"] == field


async def test_the_vacancy_page_and_workbook(staff_clients, example):
    org = staff_clients["organiser"]
    params = {"from": "2027-01", "to": "2027-03", "lang": "zh_CN"}
    with clock.frozen(day(3, 20)):
        html = await org.get("/organiser/vacancy", params=params)
        book = await org.get("/organiser/vacancy.xlsx", params=params)
    assert html.status_code == 200
    top = html.text.split('id="vacancy-top"', 1)[1].split("</table>", 1)[0]
    assert top.index(f'data-employer="{example["T"]}"') < top.index(
        f'data-employer="{example["S"]}"')
    assert "18.2%" in top  # 10 / 55
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert "/organiser/vacancy" in (await org.get("/organiser")).text
