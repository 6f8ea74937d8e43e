"""Wage levels (工资价位) on a worked example: the quartiles of offered monthly pay by industry
and education (or job title), from the needs published and the positions of fairs held in the
period; a range counts as its midpoint, day and hour rates are converted (21.75 days, 174
hours a month); cells of fewer than five offers are withheld. The same figures on both engines
(and, on PostgreSQL, the same as its own percentile_cont).

Software, bachelor, 2027 (six offers):
  need 6,000–8,000 a month -> 7,000; need up to 10,000 -> 10,000; need from 300 a day ->
  6,525; need 40–50 an hour -> 45 x 174 = 7,830; need 9,000–9,001 a month -> 9,000.5;
  a fair's position 250–350 a day -> 300 x 21.75 = 6,525.
  Sorted: 6525, 6525, 7000, 7830, 9000.5, 10000. P25 at rank 2.25: 6525 + .25 x 475 =
  6643.75 -> 6644; P50 at rank 3.5: 7415; P75 at rank 4.75: 7830 + .75 x 1170.5 = 8707.875
  -> 8708.
Left out: a withdrawn need, a draft, a need published in 2026, a need with no pay; software,
college has two offers (withheld).
"""

from __future__ import annotations

import statistics
from datetime import datetime

import pytest

from fairs import clock, db
from fairs.i18n import TZ
from tests import factories
from tests.conftest import engine_kind
from tests.demand.conftest import add_need
from tests.test_accounts import problem

YEAR = {"from": "2027-01-01", "to": "2027-12-31"}


def day(month: int, d: int = 10, year: int = 2027) -> datetime:
    return datetime(year, month, d, 10, tzinfo=TZ)


@pytest.fixture
async def offers(world, staff_clients, employer_clients):
    soft, other = await employer_clients(2, industry="software")
    org = staff_clients["organiser"]
    for hr in (soft, other):
        with clock.frozen(day(12, 1, 2026)):
            r = await hr.put(f"/api/v1/employers/{hr.employer_id}/staff-count",
                             json={"staff": 50, "org": "xha"})
            assert r.status_code == 200, r.text

    async def published(client, when: datetime, **kw) -> int:
        with clock.frozen(when):
            made = await add_need(client, client.employer_id, valid_until="2027-12-31"
                                  if when.year == 2027 else "2026-12-31", **kw)
            r = await org.post(f"/api/v1/needs/{made['id']}/publish")
            assert r.status_code == 200, r.text
        return made["id"]

    bachelor = {"education": "bachelor", "title": "软件工程师"}
    await published(soft, day(1), salary_min=6000, salary_max=8000, **bachelor)
    await published(soft, day(2), salary_min=0, salary_max=10000, **bachelor)
    await published(soft, day(3), salary_min=300, salary_max=0, pay_unit="day", **bachelor)
    await published(other, day(4), salary_min=40, salary_max=50, pay_unit="hour", **bachelor)
    await published(other, day(5), salary_min=9000, salary_max=9001, education="bachelor",
                    title="算法工程师")
    gone = await published(soft, day(6), salary_min=50000, salary_max=60000, **bachelor)
    await soft.post(f"/api/v1/needs/{gone}/withdraw")
    await published(soft, day(12, 1, 2026), salary_min=1000, salary_max=1000, **bachelor)
    await published(soft, day(7), salary_min=0, salary_max=0, **bachelor)
    with clock.frozen(day(7)):
        await add_need(soft, soft.employer_id, salary_min=90000, salary_max=90000,
                       valid_until="2027-12-31", **bachelor)  # a draft
    await published(soft, day(8), salary_min=5000, salary_max=6000, education="college")
    await published(other, day(8), salary_min=5500, salary_max=0, education="college")
    # A fair in March with one position of 250–350 a day.
    with clock.frozen(day(3, 1)):
        fair = await factories.fair(await factories.principal("organiser"), world,
                                    start=60 * 24 * 10, booths=2)
        booking = await soft.post(f"/api/v1/fairs/{fair['id']}/bookings", json={"booth": "A01"})
        assert booking.status_code == 201, booking.text
        made = await soft.post(f"/api/v1/bookings/{booking.json()['id']}/positions", json={
            "title": "软件工程师", "headcount": 2, "education": "bachelor", "pay_unit": "day",
            "salary_min": 250, "salary_max": 350})
        assert made.status_code == 201, made.text


EXPECTED = {"industry": "software", "education": "bachelor", "count": 6, "p25": 6644,
            "p50": 7415, "p75": 8708}


async def test_wage_levels_by_industry_and_education(new_client, offers):
    anyone = new_client()
    r = await anyone.get("/api/v1/reports/wages", params=YEAR)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["items"] == [EXPECTED]
    assert found["suppressed"] == 1 and found["min_count"] == 5
    pays = [6525, 6525, 7000, 7830, 9000.5, 10000]
    p25, p50, p75 = statistics.quantiles(pays, n=4, method="inclusive")
    assert (round(p25), round(p50), round(p75)) == (6644, 7415, 8708)
    narrowed = (await anyone.get("/api/v1/reports/wages", params={
        **YEAR, "industry": "software", "education": "bachelor"})).json()
    assert narrowed["items"] == [EXPECTED]
    assert (await anyone.get("/api/v1/reports/wages", params={
        **YEAR, "industry": "logistics"})).json()["items"] == []
    # Without the fair's March: five offers are still a level; the first quarter alone is not.
    spring = (await anyone.get("/api/v1/reports/wages", params={
        "from": "2027-01-01", "to": "2027-03-31"})).json()
    assert spring["items"] == [] and spring["suppressed"] == 1
    # By job title: "软件工程师" has five offers (9,000.5 is an 算法工程师's).
    titled = (await anyone.get("/api/v1/reports/wages", params={**YEAR, "by": "title"})).json()
    pays = [6525, 6525, 7000, 7830, 10000]
    p25, p50, p75 = statistics.quantiles(pays, n=4, method="inclusive")
    assert titled["items"] == [{"industry": "software", "title": "软件工程师", "count": 5,
                                "p25": round(p25), "p50": round(p50), "p75": round(p75)}]
    assert titled["suppressed"] == 2  # 算法工程师 (1) and the college offers' title (2)
    for params, field in (({"from": "2027-13-01"}, "from"), ({"by": "age"}, "by"),
                          ({"from": "2027-05-01", "to": "2027-01-01"}, "to"),
                          ({"from": "2010-01-01", "to": "2027-01-01"}, "from"),
                          ({"education": "phd"}, "education")):
        body = problem(await anyone.get("/api/v1/reports/wages", params=params), 422)
        assert body["errors"][0]["field"] == field


async def test_the_same_as_postgresqls_percentile_cont(offers):
    """The dialect's percentile (PostgreSQL's ordered-set aggregate, or the aggregate the
    SQLite engine registers) interpolates as percentile_cont and Python's inclusive quantiles
    do."""
    from fairs.db import dialect

    values = [6525.0, 6525.0, 7000.0, 7830.0, 9000.5, 10000.0]
    expected = [round(q) for q in statistics.quantiles(values, n=4, method="inclusive")]
    assert expected == [6644, 7415, 8708]
    marks = ", ".join("(CAST({} AS DOUBLE PRECISION))" for _ in values)
    parts = ", ".join(f"{dialect.percentile_cont(f, 'v.x')} AS p{n}"
                      for n, f in enumerate((0.25, 0.5, 0.75)))
    rows = await db.fetch(f"SELECT {parts} FROM (SELECT column1 AS x FROM (VALUES {marks}) "
                          "t) v", *values)
    assert [round(rows[0][f"p{n}"]) for n in range(3)] == expected
    if engine_kind() == "postgres":
        native = await db.fetch(
            "SELECT percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY x) AS p FROM "
            "(VALUES (6525.0), (6525.0), (7000.0), (7830.0), (9000.5), (10000.0)) v(x)")
        assert [round(v) for v in native[0]["p"]] == expected


async def test_the_wages_page_and_workbook(new_client, offers):
    anyone = new_client()
    html = await anyone.get("/wages", params={**YEAR, "lang": "zh_CN"})
    assert html.status_code == 200
    table = html.text.split('id="wages"', 1)[1].split("</table>", 1)[0]
    assert "6,644" in table and "7,415" in table and "8,708" in table
    assert "大学本科" in table or "本科" in table
    assert 'href="/wages"' in html.text
    book = await anyone.get("/wages.xlsx", params=YEAR)
    assert book.status_code == 200 and book.content[:2] == b"PK"
    bad = await anyone.get("/wages", params={"by": "age"})
    assert bad.status_code == 422


async def test_percentile_cont_is_the_same_aggregate_on_both_engines(migrated):
    """fairs.db.dialect.percentile_cont: PostgreSQL's ordered-set aggregate, or the engine's
    registered SQLite aggregate of the same name: NULLs left out, one value is every
    percentile, no value is NULL."""
    from fairs.db import dialect

    columns = ", ".join(f"{dialect.percentile_cont(f, 'x')} AS p{int(f * 100)}"
                        for f in (0, 0.25, 0.5, 0.75, 1))
    rows = await db.fetch(
        "WITH t(g, x) AS (VALUES (1, 10.0), (1, 20.0), (1, NULL), (1, 40.0), (2, 5.0), "
        f"(3, NULL)) SELECT g, {columns} FROM t GROUP BY g ORDER BY g")
    assert [(r["g"], *(None if r[k] is None else float(r[k])
                       for k in ("p0", "p25", "p50", "p75", "p100"))) for r in rows] == [
        (1, 10.0, 15.0, 20.0, 30.0, 40.0), (2, 5.0, 5.0, 5.0, 5.0, 5.0),
        (3, None, None, None, None, None)]
