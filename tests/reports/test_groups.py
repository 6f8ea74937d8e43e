"""The report's target-group table lists every group of the catalogue, zero rows included, on
the page (both languages) and in the workbook, and names the employers measure as the plan
dashboard does (one label per measure)."""

from __future__ import annotations

from fairs.catalog.reference import AUDIENCES
from fairs.measures import MEASURE_NAMES
from tests.conftest import login_as
from tests.reports.test_measures import page_cells, xlsx_totals


async def test_every_group_is_listed_even_with_nothing_held(new_client, world):
    organiser = await login_as(new_client, "organiser")
    for lang, name in (("zh_CN", "到场企业"), ("en", MEASURE_NAMES["employers_present"])):
        html = (await organiser.get("/organiser/reports", params={"lang": lang})).text
        cells = page_cells(html, "audience")
        assert [k for k in cells if k not in ("", "-")] == [code for code, *_ in AUDIENCES]
        assert all(row == {"admissions": "0", "walk_ins": "0", "intentions": "0"}
                   for key, row in cells.items() if key not in ("", "-"))
        assert f"<dt>{name}</dt>" in html
        plan = await organiser.post("/api/v1/plans", json={
            "title": "年度计划", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "targets": {"offline": 1, "online": 1}})
        dash = await organiser.get(f"/organiser/plans/{plan.json()['id']}",
                                   params={"lang": lang})
        assert f"<dt>{name}</dt>" in dash.text
    _totals, book = xlsx_totals((await organiser.get("/reports/measures.xlsx")).content)
    names = [(r[0] or "").strip() for r in book["按服务对象"].iter_rows(values_only=True)]
    for _code, zh, _en in AUDIENCES:
        assert zh in names
