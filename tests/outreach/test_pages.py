"""The pages as an organiser uses them: the employer's page with its 服务记录 section (record,
edit, delete a service; assign an officer), the ledger (服务台账) with its filters, workbook and
CSV, and the audit log's sentences."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re

import openpyxl

from fairs import clock
from tests.outreach.conftest import days_ago, ok, record

HTML = {"accept": "text/html"}


def main(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


async def test_the_employers_page_records_a_service(out):
    page = await out.organiser.get(f"/organiser/employers/{out.a.id}", headers=HTML)
    assert page.status_code == 200
    body = main(page.text)
    assert "服务记录" in body and "用工专员" in body and "暂无服务记录" in body
    assert f'action="/organiser/employers/{out.a.id}/services"' in body
    assert 'name="topics" value="social_insurance"' in body and "社保" in body
    # The form, as a browser posts it (topics ticked twice over).
    today = clock.today_local().isoformat()
    posted = await out.organiser.post(f"/organiser/employers/{out.a.id}/services", data={
        "kind": "policy", "on": today, "topics": ["subsidies", "training"],
        "staff_names": "王强", "notes": "协助申报一次性扩岗补助", "follow_up_on": ""})
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/organiser/employers/{out.a.id}#services"
    listed = await ok(await out.organiser.get(f"/api/v1/employers/{out.a.id}/services"))
    [made] = listed["items"]
    assert made["kind"] == "policy" and made["topics"] == ["training", "subsidies"]
    assert made["follow_up_on"] is None
    body = text(main((await out.organiser.get(f"/organiser/employers/{out.a.id}")).text))
    assert "政策帮办" in body and "技能培训、补贴政策" in body and "协助申报一次性扩岗补助" in body

    # A mistake is shown on the form again, its field named, nothing saved.
    wrong = await out.organiser.post(f"/organiser/employers/{out.a.id}/services", data={
        "kind": "visit", "on": "2099-01-01", "notes": "未来的走访"}, headers=HTML)
    assert wrong.status_code == 422
    assert "服务完成后才能记录" in wrong.text and "未来的走访" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    malformed = await out.organiser.post(f"/organiser/employers/{out.a.id}/services", data={
        "kind": "visit", "on": "yesterday"}, headers=HTML)
    assert malformed.status_code == 422
    assert (await ok(await out.organiser.get(
        f"/api/v1/employers/{out.a.id}/services")))["total"] == 1

    # Edit, then delete (with a confirmation on the button).
    edit = await out.organiser.get(f"/organiser/services/{made['id']}/edit", headers=HTML)
    assert edit.status_code == 200 and "修改服务记录" in edit.text
    assert 'value="subsidies" checked' in edit.text
    changed = await out.organiser.post(f"/organiser/services/{made['id']}/edit", data={
        "kind": "visit", "on": today, "topics": "recruiting", "notes": "改为实地走访"})
    assert changed.status_code == 303
    service = await ok(await out.organiser.get(f"/api/v1/services/{made['id']}"))
    assert service["kind"] == "visit" and service["topics"] == ["recruiting"]
    page = (await out.organiser.get(f"/organiser/employers/{out.a.id}")).text
    assert f'action="/organiser/services/{made["id"]}/delete"' in page
    assert "data-confirm=" in page.split(f'/organiser/services/{made["id"]}/delete', 1)[1][:40]
    gone = await out.organiser.post(f"/organiser/services/{made['id']}/delete", data={})
    assert gone.status_code == 303
    assert (await out.organiser.get(f"/api/v1/services/{made['id']}")).status_code == 404
    # The audit log says it in sentences.
    log = text(main((await out.admin.get("/organiser/audit", headers=HTML)).text))
    assert "记录了对用人单位《" in log and "修改了用人单位《" in log and "删除了用人单位《" in log


async def test_only_those_who_serve_the_company_see_its_services(out):
    await record(out.organiser, out.a.id, "visit", days_ago(1), notes="内部记录")
    # Another district reads the register's entry, not the services or the forms.
    page = await out.jiaozhou.get(f"/organiser/employers/{out.a.id}", headers=HTML)
    assert page.status_code == 200
    assert "服务记录" not in main(page.text) and "内部记录" not in page.text
    posted = await out.jiaozhou.post(f"/organiser/employers/{out.a.id}/services",
                                     data={"kind": "visit", "on": days_ago(1).isoformat()},
                                     headers=HTML)
    assert posted.status_code == 403
    assert "内部记录" not in (await out.jiaozhou.get("/organiser/services")).text
    assert "内部记录" not in (await out.jiaozhou.get("/organiser/services.csv")).text


async def test_assigning_an_officer_on_the_page(out):
    page = (await out.organiser.get(f"/organiser/employers/{out.a.id}")).text
    assert "尚未指派用工专员" in page
    gzk = out.staff["gzk"].id
    assert f'<option value="{gzk}">' in page  # a login of xha's subtree
    assert f'<option value="{out.staff["jiaozhou"].id}">' not in page
    made = await out.organiser.post(f"/organiser/employers/{out.a.id}/officers",
                                    data={"user": str(gzk)})
    assert made.status_code == 303
    page = (await out.organiser.get(f"/organiser/employers/{out.a.id}")).text
    assert f'data-officer="{gzk}"' in page
    removed = await out.organiser.post(
        f"/organiser/employers/{out.a.id}/officers/{gzk}/delete", data={})
    assert removed.status_code == 303
    assert f'data-officer="{gzk}"' not in (await out.organiser.get(
        f"/organiser/employers/{out.a.id}")).text


async def test_the_ledger_page_filters_and_exports(out):
    month_start = clock.today_local().replace(day=1)
    await record(out.organiser, out.a.id, "visit", month_start, notes="=HYPERLINK(\"x\")",
                 topics=["recruiting", "subsidies"], staff_names="张伟")
    await record(out.organiser, out.b.id, "phone", month_start, notes="电话回访")
    page = await out.organiser.get("/organiser/services", headers=HTML)
    assert page.status_code == 200
    body = main(page.text)
    assert "企业服务台账" in body and "共记录服务 2 条" in text(body)
    # The visits of the month by kind, the read model's numbers.
    month = month_start.strftime("%Y-%m")
    filtered = main((await out.organiser.get("/organiser/services",
                                             params={"month": month})).text)
    assert re.search(r'<td data-kind="visit">1</td>', filtered)
    assert re.search(r'<td data-kind="phone">1</td>', filtered)
    assert re.search(r'<td data-kind="total">2</td>', filtered)
    phone = main((await out.organiser.get("/organiser/services", params={"kind": "phone"})).text)
    assert "电话回访" in phone and "HYPERLINK" not in phone
    staff = main((await out.organiser.get("/organiser/services", params={
        "staff": out.staff["organiser"].id})).text)
    assert "共记录服务 2 条" in text(staff)
    bad = await out.organiser.get("/organiser/services", params={"month": "2026-13"},
                                  headers=HTML)
    assert bad.status_code == 422
    # The CSV: UTF-8 with a BOM, Chinese headings, a formula neutralised.
    exported = await out.organiser.get("/organiser/services.csv", params={"kind": "visit"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["服务日期", "企业", "服务方式"]
    assert rows[1][2] == "实地走访" and rows[1][3] == "招聘用工、补贴政策"
    assert rows[1][7] == "'=HYPERLINK(\"x\")"
    assert len([r for r in rows if r and not r[0].startswith("说明")]) == 2  # heading + one
    # The workbook: the same rows, the formula as text.
    book = openpyxl.load_workbook(io.BytesIO((await out.organiser.get(
        "/organiser/services.xlsx")).content))
    sheet = book["服务台账"]
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0]]
    heading = values.index(tuple(["服务日期", "企业", "服务方式", "服务内容", "服务人员",
                                  "记录人", "所属组织", "备注", "跟进日期"]))
    data = values[heading + 1:]
    assert len(data) == 2
    assert {r[2] for r in data} == {"实地走访", "电话联系"}
    cell = next(c for r in sheet.iter_rows() for c in r if c.value == "=HYPERLINK(\"x\")")
    assert cell.data_type == "s"


async def test_the_tiles_and_links_lead_there(out):
    home = (await out.organiser.get("/organiser")).text
    assert 'href="/organiser/services"' in home and 'href="/organiser/officers/me"' in home
    ledger = (await out.organiser.get("/organiser/services")).text
    assert 'href="/organiser/outreach/uncontacted"' in ledger
    approvals = (await out.organiser.get("/organiser/employers",
                                         params={"status": "approved"})).text
    assert f'href="/organiser/employers/{out.a.id}"' in approvals
