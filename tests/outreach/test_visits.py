"""The one definition of an employer-service visit (服务企业, 家次): one employer, one China-time
day, one kind; fair attendance and recorded services alike. The plan's progress, its dashboard,
GET /api/v1/reports/measures, the report page, the workbook and the CSV show the same number;
a count narrowed to fairs (a kind, an industry, an audience) counts fair attendance only."""

from __future__ import annotations

import re
from datetime import timedelta

from fairs import clock
from fairs.measures import VISIT_KINDS
from tests.outreach.conftest import attend, days_ago, ok, record
from tests.reports.test_measures import csv_totals, page_cells, page_totals, xlsx_totals


def _cells(html: str, row: str) -> list[str]:
    body = html.split(row, 1)[1].split("</tr>", 1)[0]
    return [c.replace(",", "") for c in re.findall(r"<td[^>]*>([^<]*)</td>", body)]


async def test_a_visit_is_one_employer_one_day_one_kind_everywhere(out):
    day = days_ago(10)
    other_day = days_ago(40)
    # A: a fair check-in and a field visit on one day: two visits (two kinds).
    await attend(out.staff["organiser"], out.world, out.a, day, out.organiser)
    await record(out.organiser, out.a.id, "visit", day)
    # B: a phone call and a field visit that day: two; a second call that day (by another
    # login of the subtree) adds nothing.
    await record(out.organiser, out.b.id, "phone", day)
    await record(out.organiser, out.b.id, "visit", day)
    await record(out.admin, out.b.id, "phone", day)  # the admin's counts for the city: see below
    # C: two phone calls that day: one visit; another call on another day: one more.
    await record(out.organiser, out.c.id, "phone", day, notes="上午")
    await record(out.organiser, out.c.id, "phone", day, notes="下午")
    await record(out.organiser, out.c.id, "phone", other_day)
    expected = {"fair": 1, "visit": 2, "phone": 3}
    total = 6

    # The plan of xha over these days: its progress and its dashboard.
    start, end = days_ago(60), days_ago(-20)
    plan = await ok(await out.organiser.post("/api/v1/plans", json={
        "title": "服务企业计划", "starts_on": start.isoformat(), "ends_on": end.isoformat(),
        "targets": {"offline": 1, "employer_visits": 3000}}), 201)
    progress = await ok(await out.organiser.get(f"/api/v1/plans/{plan['id']}/progress"))
    visits = progress["targets"]["employer_visits"]
    assert visits["held"] == total and visits["target"] == 3000
    assert visits["by_kind"] == {**dict.fromkeys(VISIT_KINDS, 0), **expected}
    assert progress["attendance"]["employer_visits"] == total
    dashboard = (await out.organiser.get(f"/organiser/plans/{plan['id']}")).text
    assert _cells(dashboard, 'data-target="employer_visits"')[1] == str(total)
    assert page_totals(dashboard)["employer_visits"] == total
    # The dashboard's visits by month and kind: each month's row, the totals row.
    months = {day.strftime("%Y-%m"), other_day.strftime("%Y-%m")}
    rows = {m: _cells(dashboard, f'data-month="{m}"') for m in months}
    column = {k: i for i, k in enumerate(VISIT_KINDS)}
    assert sum(int(r[column["phone"]]) for r in rows.values()) == 3
    assert sum(int(r[-1]) for r in rows.values()) == total
    totals_row = _cells(dashboard, 'data-month="total"')
    assert totals_row == [str(expected.get(k, 0)) for k in VISIT_KINDS] + [str(total)]

    # The reports over the same days: the API, the page, the workbook, the CSV.
    window = {"from": start.isoformat(), "to": end.isoformat()}
    measures = await ok(await out.organiser.get("/api/v1/reports/measures", params=window))
    assert measures["employer_visits"] == total
    assert measures["employers_present"] == 1  # presence stays fair attendance only
    report = (await out.organiser.get("/organiser/reports", params=window)).text
    assert page_totals(report)["employer_visits"] == total
    xlsx, _book = xlsx_totals((await out.organiser.get("/reports/measures.xlsx",
                                                       params=window)).content)
    assert xlsx["employer_visits"] == total
    csv_content = (await out.organiser.get("/reports/measures.csv", params=window)).content
    assert csv_totals(csv_content)["employer_visits"] == total
    assert "服务企业口径" in csv_content.decode("utf-8-sig")
    # The report's breakdowns place services by their month and organisation, and give them
    # a row of their own by kind (they are no fair of either kind).
    by_month = page_cells(report, "month")
    assert sum(int(by_month[m]["employer_visits"]) for m in months if m in by_month) == total
    by_kind = page_cells(report, "kind")
    assert by_kind["offline"]["employer_visits"] == "1"
    assert by_kind["services"]["employer_visits"] == "5"
    assert by_kind["services"]["events_held"] == "0"
    by_org = page_cells(report, "org")
    assert by_org[""]["employer_visits"] == str(total)  # the total row

    # Narrowed to fairs: fair attendance only.
    for narrowed in ({"kind": "offline"}, {"industry": "software"},
                     {"audience": "graduates"}):
        answer = await ok(await out.organiser.get("/api/v1/reports/measures",
                                                  params={**window, **narrowed}))
        assert answer["employer_visits"] == 1, narrowed
    assert (await ok(await out.organiser.get("/api/v1/reports/measures", params={
        **window, "kind": "online"})))["employer_visits"] == 0
    # Where they were recorded: xha's sub-area gzk recorded none; the admin's record counts
    # for the city (qd, above xha) and adds a phone call for B that day: still one visit.
    assert (await ok(await out.organiser.get("/api/v1/reports/measures", params={
        **window, "org": "gzk"})))["employer_visits"] == 0
    city = await ok(await out.admin.get("/api/v1/reports/measures", params=window))
    assert city["employer_visits"] == total
    jiaozhou = await ok(await out.jiaozhou.get("/api/v1/reports/measures", params=window))
    assert jiaozhou["employer_visits"] == 0
    # Outside the dates: nothing.
    before = await ok(await out.organiser.get("/api/v1/reports/measures", params={
        "from": (day + timedelta(days=1)).isoformat(), "to": end.isoformat()}))
    assert before["employer_visits"] == 0


async def test_a_deleted_or_moved_service_stops_counting_on_its_old_day(out):
    day = days_ago(5)
    made = await record(out.organiser, out.a.id, "symposium", day)
    window = {"from": day.isoformat(), "to": day.isoformat()}
    assert (await ok(await out.organiser.get("/api/v1/reports/measures",
                                             params=window)))["employer_visits"] == 1
    await ok(await out.organiser.patch(f"/api/v1/services/{made['id']}",
                                       json={"on": days_ago(6).isoformat()}))
    assert (await ok(await out.organiser.get("/api/v1/reports/measures",
                                             params=window)))["employer_visits"] == 0
    assert (await out.organiser.delete(f"/api/v1/services/{made['id']}")).status_code == 204
    assert (await ok(await out.organiser.get("/api/v1/reports/measures", params={
        "from": days_ago(6).isoformat(), "to": day.isoformat()})))["employer_visits"] == 0


async def test_a_fair_summary_counts_its_own_visits_only(out):
    fair_id = await attend(out.staff["organiser"], out.world, out.a, days_ago(3), out.organiser)
    await record(out.organiser, out.a.id, "visit", days_ago(3))
    summary = (await out.organiser.get(f"/organiser/fairs/{fair_id}/summary")).text
    assert page_totals(summary)["employer_visits"] == 1


async def test_services_in_a_month_without_fairs_have_their_own_row(out):
    month_start = clock.today_local().replace(day=1)
    await record(out.organiser, out.a.id, "policy", month_start)
    window = {"from": month_start.isoformat(), "to": clock.today_local().isoformat()}
    report = (await out.organiser.get("/organiser/reports", params=window)).text
    rows = page_cells(report, "month")
    assert rows[month_start.strftime("%Y-%m")]["employer_visits"] == "1"
    assert rows[month_start.strftime("%Y-%m")]["events_held"] == "0"


async def test_one_visit_recorded_by_two_organisations_counts_once_above_them(out):
    """xha and its sub-area gzk both record a call to B on one day: each organisation's own
    row counts it, and xha's subtotal and the total count it once."""
    await ok(await out.admin.post(f"/api/v1/employers/{out.b.id}/officers",
                                  json={"user": out.staff["gzk"].id}), 201)
    day = days_ago(4)
    await record(out.gzk, out.b.id, "phone", day)
    await record(out.organiser, out.b.id, "phone", day)
    await record(out.organiser, out.c.id, "visit", day)  # xha's alone
    window = {"from": day.isoformat(), "to": day.isoformat()}
    assert (await ok(await out.organiser.get("/api/v1/reports/measures",
                                             params=window)))["employer_visits"] == 2
    assert (await ok(await out.gzk.get("/api/v1/reports/measures",
                                       params=window)))["employer_visits"] == 1
    rows = page_cells((await out.organiser.get("/organiser/reports", params=window)).text,
                      "org")
    assert rows["gzk"]["employer_visits"] == "1"
    assert rows["xha"]["employer_visits"] == "2"  # xha's subtotal: B once, C once
    assert rows[""]["employer_visits"] == "2"
    own = (await out.organiser.get("/organiser/reports", params=window)).text
    xha_own = re.search(r'<tr class="own[^"]*" data-key="xha">(.*?)</tr>', own, re.S)
    assert xha_own and re.search(r'data-measure="employer_visits">2<', xha_own.group(1))
