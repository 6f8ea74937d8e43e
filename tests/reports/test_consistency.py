"""One data set, every view: each measure is the same number wherever it is shown, and the number
this test computes from its own description of the data set.

The data set is tests/reports/helpers.build (fairs of both kinds held in xha and its sub-area
gzk, one cancelled after people came, one running now, one in the sibling district Jiaozhou;
registrations, admissions with repeat scans, walk-ins, intentions, a guest slot, livestream
views) plus, here:

- F7 (xha, offline) on the same day as F1, in the afternoon: E1 present again (a second fair on
  one day: one more employer-fair pair, no new visit) and E2 present (absent from F1); a
  position of 6 for E2; two tickets, one scanned twice, one walk-in (a woman);
- F8 (xha, offline) upcoming: E2 books with a position of 9: nothing counts yet.

The views: GET /api/v1/reports/measures, the report page, the workbook and the CSV; a plan over
the year (GET /api/v1/plans/{id}/progress and its dashboard page); GET /api/v1/fairs/{id}/
attendance and the wall; GET /api/v1/fairs/{id} (checked_in) and each fair's summary page.
"""

from __future__ import annotations

import re
from datetime import datetime

from fairs.i18n import TZ
from fairs.measures import MEASURES, VISIT_KINDS
from tests.reports.helpers import book, build, create_fair, move, now_start, ok, register, scan
from tests.reports.test_measures import csv_rows, csv_totals, page_cells, page_totals, xlsx_totals

# --- the data set, as this test describes it ---------------------------------------------------
# fair: org, kind, held?, local day; what happened there.
FAIRS = {
    "f1": {"org": "xha", "kind": "offline", "held": True, "day": "03-10"},
    "f2": {"org": "gzk", "kind": "offline", "held": True, "day": "05-20"},
    "f3": {"org": "xha", "kind": "online", "held": True, "day": "05-25"},
    "f4": {"org": "xha", "kind": "offline", "held": False, "day": "04-08"},  # cancelled
    "f5": {"org": "xha", "kind": "offline", "held": False, "day": None},  # running now
    "f6": {"org": "jiaozhou", "kind": "offline", "held": True, "day": "05-15"},
    "f7": {"org": "xha", "kind": "offline", "held": True, "day": "03-10"},
    "f8": {"org": "xha", "kind": "offline", "held": False, "day": None},  # upcoming
}
# Distinct admitted job seekers, of whom walk-ins; openings offered; intentions; views.
ADMITTED = {"f1": 8, "f2": 3, "f3": 0, "f4": 2, "f5": 1, "f6": 2, "f7": 3, "f8": 0}
WALK_INS = {"f1": 2, "f7": 1}
OPENINGS = {"f1": 5 + 3 + 10, "f2": 2, "f3": 4, "f4": 7, "f7": 6, "f8": 9}
INTENTIONS = {"f1": 3, "f2": 1}
VIEWS = {"f3": 1200 + 300}
PRESENT = {"f1": {"e1"}, "f2": {"e1"}, "f3": {"e3"}, "f4": {"e1"}, "f7": {"e1", "e2"}}
SUBTREE = {"xha": {"xha", "gzk"}, "gzk": {"gzk"}, "jiaozhou": {"jiaozhou"}}


def expected(org: str, *, kind: str | None = None, fair: str | None = None) -> dict[str, int]:
    """The eight measures over the held fairs of `org`'s subtree (or one fair), from the
    description above: employers present are distinct employers; a visit is one employer on
    one day (one kind: fair attendance)."""
    names = [f for f, d in FAIRS.items()
             if (fair is not None and f == fair)
             or (fair is None and d["held"] and d["org"] in SUBTREE[org]
                 and kind in (None, d["kind"]))]
    return {
        "events_held": len(names),
        "employers_present": len({e for f in names for e in PRESENT.get(f, ())}),
        "positions": sum(OPENINGS.get(f, 0) for f in names),
        "admissions": sum(ADMITTED.get(f, 0) for f in names),
        "walk_ins": sum(WALK_INS.get(f, 0) for f in names),
        "intentions": sum(INTENTIONS.get(f, 0) for f in names),
        "online_views": sum(VIEWS.get(f, 0) for f in names),
        "employer_visits": len({(e, FAIRS[f]["day"]) for f in names
                                for e in PRESENT.get(f, ())}),
        "hires": 0,  # nobody followed up here (tests/followup counts hires)
    }


def labels(html: str) -> dict[str, str]:
    """{measure: its label} of the `data-measure` items on a page."""
    return dict(re.findall(r'<div data-measure="(\w+)"><dt>([^<]*)</dt>', html))


def wall_counts(html: str) -> dict[str, tuple[str, int]]:
    """{key: (label, n)} of the wall's counts."""
    found = re.findall(r'<dt>([^<]*)</dt><dd data-key="(\w+)">([^<]*)</dd>', html)
    return {key: (label, int(n.replace(",", ""))) for label, key, n in found}


async def _extend(data: dict, world) -> None:
    """F7 and F8 (see the module's docstring)."""
    organiser, scanner, e1, e2 = data["organiser"], data["scanner"], data["e1"], data["e2"]
    y = data["year"]
    f7 = await create_fair(organiser, world, booths=3, title="F7 同日下午场")
    b1 = await book(e1, f7["id"], "A01", [])
    b2 = await book(e2, f7["id"], "A02", [6])
    await move(f7["id"], now_start())
    first = await register(f7["id"], "下午甲", ["graduates"])
    second = await register(f7["id"], "下午乙", [])
    for code in (first["code"], first["code"], second["code"]):
        assert (await scan(scanner, f7["id"], code))["result"] in ("ok", "already_checked_in")
    walk = await ok(await scanner.post(f"/api/v1/fairs/{f7['id']}/walk-ins",
                                       json={"name": "下午丙", "phone": "13900139999",
                                             "audiences": ["women"]}))
    assert walk["walk_in"] is True
    for emp, booking in ((e1, b1), (e2, b2), (e1, b1)):
        code = (await ok(await emp.get(f"/api/v1/bookings/{booking['id']}")))["code"]
        assert (await scan(scanner, f7["id"], code))["result"] in ("ok", "already_checked_in")
    await move(f7["id"], datetime(y, 3, 10, 14, tzinfo=TZ))
    f8 = await create_fair(organiser, world, booths=2, title="F8 即将举办")
    await book(e2, f8["id"], "A01", [9])
    data.update(f7=f7, f8=f8)


async def test_every_view_shows_the_same_measures(app, new_client, world):
    data = await build(app, new_client, world)
    await _extend(data, world)
    organiser, y = data["organiser"], data["year"]
    ids = {name: data[name]["id"] for name in FAIRS}
    window = {"from": f"{y}-01-01", "to": f"{y}-12-31"}
    xha = expected("xha")
    # The data set tells presence and visits apart: three employers present, four visits
    # (E1 on two days, E2 and E3 on one each), five employer-fair pairs.
    assert xha["employers_present"] == 3 and xha["employer_visits"] == 4

    # The API, the report page, the workbook and the CSV.
    api = await ok(await organiser.get("/api/v1/reports/measures", params=window))
    assert api == xha
    assert await ok(await organiser.get("/api/v1/reports/measures",
                                        params={**window, "org": "gzk"})) == expected("gzk")
    assert await ok(await organiser.get("/api/v1/reports/measures",
                                        params={**window, "kind": "online"})) == expected(
        "xha", kind="online")
    report = await organiser.get("/organiser/reports", params=window)
    assert report.status_code == 200
    assert page_totals(report.text) == xha
    xlsx, _book = xlsx_totals((await organiser.get("/reports/measures.xlsx",
                                                   params=window)).content)
    assert xlsx == xha
    csv_content = (await organiser.get("/reports/measures.csv", params=window)).content
    assert csv_totals(csv_content) == xha
    # Every target group of the catalogue is listed, zeros and small cells included.
    catalogue = await ok(await organiser.get("/api/v1/catalog/audiences"))
    cells = page_cells(report.text, "audience")
    assert {a["code"] for a in catalogue["items"]} <= set(cells)
    assert cells["women"]["admissions"] == "<5" and cells["women"]["walk_ins"] == "<5"
    assert cells["military-spouses"] == {"admissions": "0", "walk_ins": "0",
                                         "intentions": "0"}
    csv_groups = [r for r in csv_rows(csv_content) if r[0] == "按服务对象"]
    assert len(csv_groups) == len(catalogue["items"]) + 2  # + none declared + total

    # A plan over the year, for xha: its progress and its dashboard.
    plan = await ok(await organiser.post("/api/v1/plans", json={
        "title": "年度计划", "starts_on": f"{y}-01-01", "ends_on": f"{y}-12-31",
        "targets": {"offline": 3, "online": 1, "events": 5, "employer_visits": 4}}), 201)
    progress = await ok(await organiser.get(f"/api/v1/plans/{plan['id']}/progress"))
    for key, value in progress["attendance"].items():
        assert value == xha[key], key
    targets = progress["targets"]
    assert targets["events"]["held"] == xha["events_held"]
    assert targets["offline"]["held"] == expected("xha", kind="offline")["events_held"]
    assert targets["online"]["held"] == expected("xha", kind="online")["events_held"]
    assert targets["employer_visits"]["held"] == xha["employer_visits"]
    # Every kind of visit is listed (no services recorded here: fair attendance only).
    assert targets["employer_visits"]["by_kind"] == {**dict.fromkeys(VISIT_KINDS, 0),
                                                     "fair": xha["employer_visits"]}
    dashboard = await organiser.get(f"/organiser/plans/{plan['id']}")
    assert dashboard.status_code == 200
    shown = page_totals(dashboard.text)
    assert shown and all(shown[k] == xha[k] for k in shown)
    row = dashboard.text.split('data-target="employer_visits"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", row)[1] == str(xha["employer_visits"])
    # One label per measure: the same words on the dashboard and the report.
    report_labels, dashboard_labels = labels(report.text), labels(dashboard.text)
    for key, label in dashboard_labels.items():
        assert report_labels[key] == label, key
    assert report_labels["employers_present"] == "到场企业"
    assert report_labels["employer_visits"] == "服务企业（家次）"
    assert len(set(report_labels.values())) == len(MEASURES)

    # Each fair: its attendance (the wall, the live stream's object), its API answer and its
    # summary page.
    for name in FAIRS:
        fair_id = ids[name]
        mine = expected(FAIRS[name]["org"], fair=name)
        live = await ok(await organiser.get(f"/api/v1/fairs/{fair_id}/attendance"))
        assert live["checked_in"] == mine["admissions"], name
        assert live["walk_ins"] == mine["walk_ins"], name
        assert live["employers_present"] == mine["employers_present"], name
        assert live["online_viewers"] == mine["online_views"], name
        fair = await ok(await organiser.get(f"/api/v1/fairs/{fair_id}"))
        assert fair["checked_in"] == mine["admissions"], name
        wall = wall_counts((await organiser.get(f"/wall/{fair_id}")).text)
        for key, measure in (("checked_in", "admissions"), ("walk_ins", "walk_ins"),
                             ("employers_present", "employers_present"),
                             ("online_viewers", "online_views")):
            if key in wall:
                assert wall[key] == (report_labels[measure], mine[measure]), (name, key)
        # The wall shows a fair's own measures: the door's at an offline fair, the
        # livestream's at an online one.
        online = FAIRS[name]["kind"] == "online"
        assert ("online_viewers" in wall) == online, name
        assert all((key in wall) != online
                   for key in ("checked_in", "walk_ins", "employers_present")), name
        if FAIRS[name]["held"] and FAIRS[name]["org"] != "jiaozhou":
            summary = await organiser.get(f"/organiser/fairs/{fair_id}/summary")
            assert summary.status_code == 200
            assert page_totals(summary.text) == {k: v for k, v in mine.items()
                                                 if k != "events_held"}, name
            assert labels(summary.text) == {k: v for k, v in report_labels.items()
                                            if k != "events_held"}
    # The report's own per-fair table agrees too.
    per_fair = page_cells(report.text, "org")
    assert per_fair["gzk"]["employers_present"] == str(expected("gzk")["employers_present"])
