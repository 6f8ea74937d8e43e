"""The report by target group reads the audience tally (fairs.measures.tally), kept in the
transaction of each admission and intention. Many scans, repeat scans, walk-ins and intentions
arriving at once leave it equal to a recount from the raw rows, and the migration's backfill
(recount_audiences) rebuilds the same numbers."""

from __future__ import annotations

import asyncio
from datetime import datetime

from fairs import clock, db
from fairs import measures as read_model
from fairs.i18n import TZ
from tests.conftest import login_as
from tests.reports import helpers
from tests.reports.helpers import (
    book,
    create_fair,
    employer,
    last_year,
    move,
    now_start,
    ok,
    phone,
    register,
)

GROUPS = [["graduates"], ["veterans"], ["graduates", "veterans"], [], ["youth"], ["women"]]


async def raw_by_audience(fair_id: int) -> dict[str, dict[str, int]]:
    """The person measures by group, counted from the admissions and intentions themselves."""
    out: dict[str, dict[str, int]] = {}
    for what, sql in (
        ("admissions", "SELECT r.audiences FROM admission a "
                       "JOIN registration r ON r.id = a.registration WHERE a.fair = {}"),
        ("walk_ins", "SELECT r.audiences FROM admission a JOIN registration r "
                     "ON r.id = a.registration WHERE a.fair = {} AND a.method = 'walk_in'"),
        ("intentions", "SELECT r.audiences FROM intention i "
                       "JOIN registration r ON r.id = i.registration WHERE i.fair = {}")):
        for row in await db.fetch(sql, fair_id):
            codes = [c for c in row["audiences"].split(",") if c] or [""]
            for code in dict.fromkeys(codes):
                into = out.setdefault(code, dict.fromkeys(read_model.PERSON_MEASURES, 0))
                into[what] += 1
    return out


async def test_simultaneous_arrivals_keep_the_tally_equal_to_a_recount(app, new_client, world):
    helpers._PUBLIC["client"] = new_client()
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    e1 = await employer(app)
    fair = await create_fair(organiser, world, booths=2)
    fid = fair["id"]
    b1 = await book(e1, fid, "A01", [3, 2])
    await move(fid, now_start())
    tickets = [await register(fid, f"求职者{n}", GROUPS[n % len(GROUPS)]) for n in range(18)]
    admitted = tickets[:15]  # three never come

    # Every ticket scanned twice at once, and six walk-ins, all arriving together.
    scans = [scanner.post(f"/api/v1/fairs/{fid}/checkins", json={"code": t["code"]})
             for t in admitted for _ in range(2)]
    walks = [scanner.post(f"/api/v1/fairs/{fid}/walk-ins",
                          json={"name": f"走入{n}", "phone": phone(),
                                "audiences": GROUPS[n % len(GROUPS)]}) for n in range(6)]
    answers = await asyncio.gather(*scans, *walks)
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    results = [a.json()["result"] for a in answers[:len(scans)]]
    assert results.count("ok") == 15 and results.count("already_checked_in") == 15
    assert all(a.json()["walk_in"] is True for a in answers[len(scans):])

    # Intentions at once, each pair twice: counted once each.
    p1, p2 = b1["positions"]
    pairs = [(t["code"], p) for t in admitted[:8] for p in (p1, p2)]
    made = await asyncio.gather(*(
        e1.post(f"/api/v1/fairs/{fid}/intentions", json={"code": c, "position": p})
        for c, p in pairs for _ in range(2)))
    assert sorted(m.status_code for m in made) == [200] * 16 + [201] * 16

    await move(fid, datetime(last_year(), 6, 1, 9, tzinfo=TZ))
    scope = read_model.Scope(at=clock.now(), fair_id=fid)
    want = await raw_by_audience(fid)
    # graduates: tickets 0, 2, 6, 8, 12, 14 and walk-ins 0 and 2 (with veterans)
    assert want["graduates"]["admissions"] == 8 and want["graduates"]["walk_ins"] == 2
    assert await read_model.by_audience(scope) == want
    # The year's report shows the same rows.
    y = last_year()
    report = await ok(await organiser.get("/api/v1/reports/measures", params={
        "from": f"{y}-01-01", "to": f"{y}-12-31"}))
    assert report["admissions"] == 21 and report["walk_ins"] == 6 and report["intentions"] == 16

    # The backfill rebuilds the same numbers from the rows (and replaces what was there).
    await read_model.recount_audiences([fid])
    assert await read_model.by_audience(scope) == want
    await db.execute("DELETE FROM audience_tally")
    await read_model.recount_audiences()
    assert await read_model.by_audience(scope) == want
