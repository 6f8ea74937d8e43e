"""The public demand catalogue: only published, unexpired needs of approved employers, with the
filters (industry, district subtree, education, job type, skilled, words), bounded pages, the
page /demand and its workbook."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from fairs import clock, db
from fairs.i18n import TZ
from tests.demand.conftest import add_need
from tests.test_accounts import problem


async def _publish(organiser, need_id: int) -> None:
    r = await organiser.post(f"/api/v1/needs/{need_id}/publish")
    assert r.status_code == 200, r.text


@pytest.fixture
async def catalogue(staff_clients, employer_clients):
    """Needs of three employers: a shipyard in xha (filed with gzk), a software company in xha
    and a logistics firm in Jiaozhou; a draft, a withdrawn one and one expiring tomorrow."""
    yard, soft, logi = (await employer_clients(1, industry="shipbuilding")
                        + await employer_clients(1, industry="software")
                        + await employer_clients(1, industry="logistics"))
    org, gzk, jz = (staff_clients[k] for k in ("organiser", "gzk", "jiaozhou"))
    await gzk.put(f"/api/v1/employers/{yard.employer_id}/staff-count", json={"staff": 800})
    await soft.put(f"/api/v1/employers/{soft.employer_id}/staff-count",
                   json={"staff": 60, "org": "xha"})
    await logi.put(f"/api/v1/employers/{logi.employer_id}/staff-count",
                   json={"staff": 300, "org": "jiaozhou"})
    ids = {}
    ids["welder"] = (await add_need(yard, yard.employer_id, title="船舶电焊工"))["id"]
    ids["fitter"] = (await add_need(yard, yard.employer_id, title="船舶管系装配工",
                                    education="junior", job_type="gig", pay_unit="day",
                                    salary_min=300, salary_max=400))["id"]
    ids["python"] = (await add_need(soft, soft.employer_id, title="Python 开发工程师",
                                    education="bachelor", skilled=False, skills="熟悉 Django",
                                    salary_min=12000, salary_max=20000))["id"]
    ids["trainee"] = (await add_need(soft, soft.employer_id, title="软件测试见习生",
                                     education="college", job_type="traineeship",
                                     skilled=False, valid_until=(
                                         clock.today_local() + timedelta(days=1)).isoformat())
                      )["id"]
    ids["driver"] = (await add_need(logi, logi.employer_id, title="冷链货车司机",
                                    education="junior"))["id"]
    ids["draft"] = (await add_need(soft, soft.employer_id, title="草稿岗位"))["id"]
    ids["gone"] = (await add_need(soft, soft.employer_id, title="已撤回岗位"))["id"]
    for key in ("welder", "fitter", "python", "trainee", "gone"):
        await _publish(org, ids[key])
    await _publish(jz, ids["driver"])
    await soft.post(f"/api/v1/needs/{ids['gone']}/withdraw")
    return ids


async def titles(client, **params) -> list[str]:
    r = await client.get("/api/v1/demand", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return sorted(n["title"] for n in body["items"])


async def test_the_catalogue_and_its_filters(new_client, catalogue):
    anyone = new_client()
    assert await titles(anyone) == ["Python 开发工程师", "冷链货车司机", "船舶电焊工",
                                    "船舶管系装配工", "软件测试见习生"]
    assert await titles(anyone, industry="shipbuilding") == ["船舶电焊工", "船舶管系装配工"]
    assert await titles(anyone, org="gzk") == ["船舶电焊工", "船舶管系装配工"]
    assert await titles(anyone, org="xha") == ["Python 开发工程师", "船舶电焊工", "船舶管系装配工",
                                               "软件测试见习生"]
    assert await titles(anyone, org="jiaozhou") == ["冷链货车司机"]
    assert await titles(anyone, education="junior") == ["冷链货车司机", "船舶管系装配工"]
    assert await titles(anyone, job_type="gig") == ["船舶管系装配工"]
    assert await titles(anyone, job_type="见习") == ["软件测试见习生"]
    assert await titles(anyone, skilled="true") == ["冷链货车司机", "船舶电焊工", "船舶管系装配工"]
    assert await titles(anyone, skilled="false") == ["Python 开发工程师", "软件测试见习生"]
    assert await titles(anyone, q="django") == ["Python 开发工程师"]
    assert await titles(anyone, org="xha", education="junior", skilled="true") == [
        "船舶管系装配工"]
    first = (await anyone.get("/api/v1/demand", params={"industry": "shipbuilding"})).json()
    fitter = next(n for n in first["items"] if n["title"] == "船舶管系装配工")
    assert fitter["monthly_pay"] == 7613  # 350 a day x 21.75 = 7612.5
    assert fitter["org"] == "gzk" and "status" not in fitter
    page = (await anyone.get("/api/v1/demand", params={"limit": 2, "offset": 4})).json()
    assert page["total"] == 5 and len(page["items"]) == 1
    # Bounds, and unknown codes named.
    for params, field in (({"industry": "mining"}, "industry"), ({"org": "mars"}, "org"),
                          ({"education": "phd"}, "education"),
                          ({"job_type": "x"}, "job_type")):
        body = problem(await anyone.get("/api/v1/demand", params=params), 422)
        assert body["errors"][0]["field"] == field
    for params in ({"limit": 101}, {"offset": 10_001}, {"q": "x" * 201}):
        assert (await anyone.get("/api/v1/demand", params=params)).status_code == 400


async def test_anonymous_sees_only_published_unexpired_needs(new_client, catalogue,
                                                           staff_clients):
    anyone = new_client()
    for key in ("draft", "gone"):
        problem(await anyone.get(f"/api/v1/needs/{catalogue[key]}"), 404)
    assert (await anyone.get(f"/api/v1/needs/{catalogue['trainee']}")).status_code == 200
    # Two days on, the trainee's need (valid until tomorrow) has expired.
    later = datetime.now(TZ) + timedelta(days=2)
    with clock.frozen(later):
        assert "软件测试见习生" not in await titles(anyone)
        problem(await anyone.get(f"/api/v1/needs/{catalogue['trainee']}"), 404)
        # Its organiser still reads it, and cannot publish it again until its date changes.
        org = staff_clients["organiser"]
        assert (await org.get(f"/api/v1/needs/{catalogue['trainee']}")).status_code == 200
    # An employer whose approval is withdrawn leaves the catalogue.
    rows = await db.fetch("SELECT employer FROM need WHERE id = {}", catalogue["driver"])
    r = await staff_clients["admin"].post(f"/api/v1/employers/{rows[0]['employer']}/reject",
                                          json={"reason": "营业执照注销"})
    assert r.status_code == 200, r.text
    assert "冷链货车司机" not in await titles(anyone)


async def test_the_catalogue_page_and_workbook(new_client, catalogue):
    anyone = new_client()
    html = (await anyone.get("/demand", params={"industry": "shipbuilding", "lang": "zh_CN"}))
    assert html.status_code == 200
    assert "船舶电焊工" in html.text and "Python 开发工程师" not in html.text
    assert 'href="/demand"' in html.text  # the public navigation links it
    bad = await anyone.get("/demand", params={"industry": "mining"})
    assert bad.status_code == 422 and "船舶电焊工" not in bad.text
    english = await anyone.get("/demand", params={"lang": "en", "skilled": "1"})
    assert "Demand catalogue" in english.text and "软件测试见习生" not in english.text
    book = await anyone.get("/demand.xlsx", params={"org": "gzk"})
    assert book.status_code == 200
    assert book.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    heading = next(i for i, row in enumerate(cells) if row[0] == "岗位名称")
    rows = [r for r in cells[heading + 1:] if r[1]]  # the note below the table has one cell
    assert sorted(r[0] for r in rows) == ["船舶电焊工", "船舶管系装配工"]
    fitter = next(r for r in rows if r[0] == "船舶管系装配工")
    assert fitter[2] == "船舶海工" and fitter[3] == 3 and fitter[10] == 7613


async def test_public_workbooks_are_limited_per_address(migrated, world):
    """A workbook of up to 5,000 rows costs the server more than a page: anyone gets a few a
    minute, per address (the rule `workbook_ip`)."""
    from tests.security.test_abuse import client_at, limited_app

    app = limited_app(workbook_ip=(2, 300))
    await app.state.limiter.reset()
    async with client_at(app, "10.40.0.1") as a, client_at(app, "10.40.0.2") as b:
        for path in ("/demand.xlsx", "/wages.xlsx"):
            assert (await a.get(path)).status_code == 200
        refused = await a.get("/demand.xlsx")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert (await b.get("/wages.xlsx")).status_code == 200
        assert (await a.get("/demand", params={"industry": "software"})).status_code == 200


async def test_the_public_wage_table_is_limited_per_address(migrated, world):
    """The wage table aggregates a year of offers (tens of ms each): an address flooding it is
    refused with 429 (the rule `report_ip`), page and API alike; another address is not."""
    from tests.security.test_abuse import client_at, limited_app

    app = limited_app(report_ip=(3, 60))
    await app.state.limiter.reset()
    async with client_at(app, "10.40.1.1") as a, client_at(app, "10.40.1.2") as b:
        assert (await a.get("/api/v1/reports/wages")).status_code == 200
        assert (await a.get("/wages")).status_code == 200
        assert (await a.get("/api/v1/reports/wages")).status_code == 200
        for path in ("/api/v1/reports/wages", "/wages"):
            refused = await a.get(path)
            assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert (await b.get("/api/v1/reports/wages")).status_code == 200
        assert (await a.get("/api/v1/demand")).status_code == 200  # the catalogue is not
