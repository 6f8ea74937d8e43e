"""The official measures (API.md "Hiring intentions and the official measures") against a
hand-computed data set (tests/reports/helpers.py): the API, the page, the workbook and the CSV
give the same numbers; cancelled and unfinished fairs never count; repeat scans count once;
target-group cells below the minimum are suppressed."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re

import openpyxl

from fairs.reports import services
from fairs.reports.exports import HEADINGS
from fairs.reports.services import MEASURES
from tests.conftest import login_as
from tests.reports.helpers import (
    EXPECTED_ALL,
    EXPECTED_GZK,
    EXPECTED_JIAOZHOU,
    EXPECTED_XHA,
    build,
)
from tests.test_accounts import problem


def window(year: int, **extra) -> dict:
    return {"from": f"{year}-01-01", "to": f"{year}-12-31", **extra}


async def api(client, **params) -> dict:
    response = await client.get("/api/v1/reports/measures", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def page_totals(html: str) -> dict[str, int]:
    found = dict(re.findall(
        r'<div data-measure="(\w+)"><dt>[^<]*</dt><dd>([^<]*)</dd></div>', html))
    return {k: int(v.replace(",", "")) for k, v in found.items()}


def page_cells(html: str, table: str) -> dict[str, dict[str, str]]:
    """{row key: {measure: cell text}} of one breakdown table on the page."""
    body = html.split(f'id="report-{table}"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for key, cells in re.findall(r'<tr class="[^"]*" data-key="([^"]*)">(.*?)</tr>', body,
                                 re.S):
        rows[key] = {m: html_lib.unescape(re.sub(r"<[^>]+>", "", v)).strip()
                     for m, v in re.findall(
            r'<td class="num" data-measure="(\w+)">(.*?)</td>', cells, re.S)}
    return rows


def xlsx_totals(content: bytes) -> tuple[dict[str, int], openpyxl.Workbook]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["汇总"]
    by_heading = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row[0]}
    return {m: by_heading[HEADINGS[m]] for m in MEASURES}, book


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "a BOM, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def csv_totals(content: bytes) -> dict[str, int]:
    rows = csv_rows(content)
    assert rows[0][2:] == [HEADINGS[m] for m in MEASURES]
    assert rows[1][:2] == ["汇总", "合计"]
    return {m: int(v) for m, v in zip(MEASURES, rows[1][2:], strict=True)}


async def test_the_measures_agree_everywhere(app, new_client, world):
    data = await build(app, new_client, world)
    organiser, y = data["organiser"], data["year"]
    params = window(y)

    # The API: the organiser's subtree (xha and gzk), never the cancelled, the unfinished or
    # the sibling district's fair.
    assert await api(organiser, **params) == EXPECTED_XHA
    # All time: the fair happening now still does not count.
    assert await api(organiser) == EXPECTED_XHA
    gzk = await login_as(new_client, "gzk")
    assert await api(gzk, **params) == EXPECTED_GZK
    assert await api(organiser, org="gzk", **params) == EXPECTED_GZK
    assert await api(data["jiaozhou"], **params) == EXPECTED_JIAOZHOU
    admin = await login_as(new_client, "admin")
    assert await api(admin, **params) == EXPECTED_ALL
    assert await api(admin, org="jiaozhou", **params) == EXPECTED_JIAOZHOU
    # Filters.
    online = await api(organiser, kind="online", **params)
    assert online == {"events_held": 1, "employers_present": 1, "positions": 4,
                      "admissions": 0, "walk_ins": 0, "intentions": 0, "online_views": 1500,
                      "employer_visits": 1, "hires": 0}
    automotive = await api(organiser, industry="automotive", **params)
    assert automotive == {"events_held": 2, "employers_present": 1, "positions": 20,
                          "admissions": 11, "walk_ins": 2, "intentions": 4, "online_views": 0,
                          "employer_visits": 2, "hires": 0}
    veterans = await api(organiser, audience="veterans", **params)
    assert veterans["events_held"] == 1 and veterans["admissions"] == 8
    march = await api(organiser, **{"from": f"{y}-03-01", "to": f"{y}-03-31"})
    assert march["events_held"] == 1 and march["intentions"] == 3
    assert (await api(organiser, **{"from": f"{y + 1}-01-01"}))["events_held"] == 0

    # The page, the workbook and the CSV: the same numbers.
    html_response = await organiser.get("/organiser/reports", params=params)
    assert html_response.status_code == 200
    html = html_response.text
    assert page_totals(html) == EXPECTED_XHA
    xlsx = await organiser.get("/reports/measures.xlsx", params=params)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    totals, book = xlsx_totals(xlsx.content)
    assert totals == EXPECTED_XHA
    csv_response = await organiser.get("/reports/measures.csv", params=params)
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert csv_totals(csv_response.content) == EXPECTED_XHA
    assert set(book.sheetnames) == {"汇总", "按月份", "按组织", "按类型", "按行业", "按服务对象",
                                    "转化漏斗"}

    # Breakdowns: by month with quarter sub-totals.
    months = page_cells(html, "month")
    assert months[f"{y}-03"]["events_held"] == "1"
    assert months[f"{y}-05"]["events_held"] == "2"
    assert months[f"{y}-Q1"]["admissions"] == "8"
    assert months[f"{y}-Q2"]["admissions"] == "3"
    assert months[f"{y}-Q2"]["online_views"] == "1,500"
    assert months[""]["events_held"] == "3"
    month_sheet = list(book["按月份"].iter_rows(values_only=True))
    assert month_sheet[-1 if month_sheet[-1][0] else -3][0].strip() == "合计" or any(
        r[0] and r[0].strip() == "合计" for r in month_sheet)
    # By organisation: xha's own fairs, gzk's, and xha's sub-total.
    orgs = page_cells(html, "org")
    assert orgs["gzk"]["events_held"] == "1"
    assert orgs["gzk"]["employers_present"] == "1"
    org_sheet = {(r[0] or "").strip(): r for r in book["按组织"].iter_rows(values_only=True)}
    assert org_sheet["西海岸新区（本级）"][1] == 2
    assert org_sheet["西海岸新区小计"][1] == 3
    assert org_sheet["古镇口军民融合创新示范区"][4] == 3  # admissions
    # By kind.
    kinds = page_cells(html, "kind")
    assert kinds["offline"]["events_held"] == "2" and kinds["online"]["events_held"] == "1"
    # By industry: a fair of two industries counts in each, and once in the total.
    industries = page_cells(html, "industry")
    assert industries["software"]["events_held"] == "2"
    assert industries["automotive"]["events_held"] == "2"
    assert industries["services"]["events_held"] == "2"  # the group's sub-total
    assert industries[""]["events_held"] == "3"
    # By target group: aggregate only, small cells suppressed.
    audiences = page_cells(html, "audience")
    assert audiences["graduates"] == {"admissions": "8", "walk_ins": "0", "intentions": "<5"}
    assert audiences["veterans"] == {"admissions": "<5", "walk_ins": "<5", "intentions": "0"}
    assert audiences["-"]["admissions"] == "<5"
    assert "求职者1" not in html and "走入甲" not in html  # no person is named
    audience_sheet = {(r[0] or "").strip(): r
                      for r in book["按服务对象"].iter_rows(values_only=True)}
    assert audience_sheet["高校毕业生"][1:4] == (8, 0, "<5")
    assert audience_sheet["退役军人"][1:4] == ("<5", "<5", 0)
    csv_audience = [r for r in csv_rows(csv_response.content) if r[0] == "按服务对象"]
    assert ["按服务对象", "退役军人", "", "", "", "<5", "<5", "0", "", "", ""] in csv_audience

    # The smallest cell size is a setting: with 2, the two veterans are shown.
    report = await services.report(
        await _principal("organiser"), services.MeasureFilter(
            start=services.now().replace(year=y, month=1, day=1),
            end=services.now().replace(year=y + 1, month=1, day=1)), min_cell=2)
    veterans_row = next(r for r in report["sections"]["audience"] if r["key"] == "veterans")
    assert veterans_row["values"]["admissions"] == 2

    # The per-fair summary after the fair.
    summary = await organiser.get(f"/organiser/fairs/{data['f1']['id']}/summary")
    assert summary.status_code == 200
    text = summary.text
    assert page_totals(text) == {"employers_present": 1, "positions": 18, "admissions": 8,
                                 "walk_ins": 2, "intentions": 3, "online_views": 0,
                                 "employer_visits": 1, "hires": 0}
    present = text.split('id="present"', 1)[1].split("</table>", 1)[0]
    absent = text.split('id="absent"', 1)[1].split("</table>", 1)[0]
    assert "青岛报表测试企业" in present and present.count("<tr>") == 2  # head + E1
    assert absent.count("<tr>") == 2
    assert "@media print" in (await organiser.get("/static/css/app.css")).text
    cancelled = await organiser.get(f"/organiser/fairs/{data['f4']['id']}/summary")
    assert cancelled.status_code == 200 and page_totals(cancelled.text)["admissions"] == 0
    assert (await gzk.get(f"/organiser/fairs/{data['f1']['id']}/summary")).status_code == 403
    # The fair page links organisers to it once the fair has ended.
    fair_page = await organiser.get(f"/fairs/{data['f1']['id']}")
    assert f"/organiser/fairs/{data['f1']['id']}/summary" in fair_page.text
    public_page = await new_client().get(f"/fairs/{data['f1']['id']}")
    assert "/summary" not in public_page.text


async def _principal(username: str):
    from fairs.accounts import services as accounts
    from fairs.accounts.tables import User

    row = await User.select(User.id).where(User.username == username).first()
    return await accounts.principal_by_id(row["id"])


async def test_who_may_see_the_measures(app, new_client, world):
    organiser = await login_as(new_client, "organiser")
    gzk = await login_as(new_client, "gzk")
    scanner = await login_as(new_client, "scanner")
    anonymous = new_client()
    assert (await anonymous.get("/api/v1/reports/measures")).status_code == 401
    problem(await scanner.get("/api/v1/reports/measures"), 403)
    problem(await scanner.get("/reports/measures.csv"), 403)
    # gzk may not look at its parent district, nor the organiser at a sibling district.
    problem(await gzk.get("/api/v1/reports/measures", params={"org": "xha"}), 403)
    problem(await organiser.get("/api/v1/reports/measures", params={"org": "jiaozhou"}),
                  403)
    bad = problem(await organiser.get("/api/v1/reports/measures",
                                            params={"kind": "hybrid"}), 422)
    assert bad["errors"][0]["field"] == "kind"
    bad = problem(await organiser.get("/api/v1/reports/measures",
                                            params={"from": "2027-13-01"}), 422)
    assert bad["errors"][0]["field"] == "from"
    bad = problem(await organiser.get("/api/v1/reports/measures",
                                            params={"industry": "nope"}), 422)
    assert bad["errors"][0]["field"] == "industry"
    # No fairs at all: zeros everywhere, and the page and exports still render.
    empty = await api(organiser)
    assert empty == dict.fromkeys(MEASURES, 0)
    assert (await organiser.get("/organiser/reports")).status_code == 200
    assert csv_totals((await organiser.get("/reports/measures.csv")).content) == empty
    assert xlsx_totals((await organiser.get("/reports/measures.xlsx")).content)[0] == empty
