"""A fair with two employers, three job seekers and their intentions, built through the real
APIs (tests/reports/helpers.py), for the follow-up tests.

The fair is made in the future (to book booths), moved to "now" (so the door admits and
employers record intentions) and, where a test needs it held, moved into the past."""

from __future__ import annotations

from datetime import datetime, timedelta

from fairs import db
from fairs.i18n import TZ
from tests.conftest import login_as
from tests.reports import helpers
from tests.reports.helpers import book, create_fair, employer, intention, move, now_start, ok


async def tasks_of(intention_id: int) -> list[dict]:
    rows = await db.fetch("SELECT id, step, due_on, status, outcome, started_on FROM "
                          "followup_task WHERE intention = {} ORDER BY step", intention_id)
    for r in rows:
        r["due_on"] = str(r["due_on"])[:10]
        r["started_on"] = str(r["started_on"])[:10] if r["started_on"] else None
    return rows


async def build(app, new_client, world, *, org: str | None = None,
                venue: str = "西海岸新区人力资源市场") -> dict:
    """xha's organiser (or `org`'s fair), employers E1 (positions P1 x3, P2 x2) and E2 (P3),
    tickets T1 (a graduate), T2 (a veteran), T3 (none declared), all admitted; intentions
    (T1, P1), (T2, P1) by E1 and (T3, P3) by E2."""
    helpers._PUBLIC["client"] = new_client()
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    e1, e2 = await employer(app), await employer(app)
    fair = await create_fair(organiser, world, booths=3, org=org, venue=venue,
                             industries=("software",), audiences=("graduates",),
                             title="回访测试招聘会")
    b1 = await book(e1, fair["id"], "A01", [3, 2])
    b2 = await book(e2, fair["id"], "A02", [1])
    await move(fair["id"], now_start())
    t1 = await helpers.register(fair["id"], "赵一", ["graduates"])
    t2 = await helpers.register(fair["id"], "钱二", ["veterans"])
    t3 = await helpers.register(fair["id"], "孙三", [])
    for t in (t1, t2, t3):
        await ok(await scanner.post(f"/api/v1/fairs/{fair['id']}/checkins",
                                    json={"code": t["code"]}))
    p1, p2 = b1["positions"]
    p3 = b2["positions"][0]
    i1 = await intention(e1, fair["id"], t1["code"], p1)
    i2 = await intention(e1, fair["id"], t2["code"], p1)
    i3 = await intention(e2, fair["id"], t3["code"], p3)
    return {"organiser": organiser, "scanner": scanner, "e1": e1, "e2": e2, "fair": fair,
            "p1": p1, "p2": p2, "p3": p3, "t1": t1, "t2": t2, "t3": t3,
            "i1": i1, "i2": i2, "i3": i3}


async def hold(fair_id: int, days_ago: int = 40) -> datetime:
    """Move the fair into the past: held (and its follow-up due)."""
    start = (datetime.now(TZ) - timedelta(days=days_ago)).replace(hour=9, minute=0, second=0,
                                                                  microsecond=0)
    await move(fair_id, start)
    return start


async def followups(client, **params) -> dict:
    return await ok(await client.get("/api/v1/followups", params=params))


async def task_id(client, intention_id: int, step: int) -> int:
    found = await followups(client, limit=500)
    return next(i["id"] for i in found["items"]
                if i["intention"] == intention_id and i["step"] == step)
