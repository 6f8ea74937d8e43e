"""Follow-up tasks: every intention makes three, due 7, 30 and 90 days after it (China-time
dates), in the intention's transaction; a repeated intention, even many at once, makes none
more; intentions recorded before the slice get theirs from the backfill."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from fairs import clock, db
from fairs.followup import tasks
from fairs.i18n import TZ
from tests.followup.helpers import build, tasks_of
from tests.reports.helpers import intention, move


async def test_an_intention_makes_three_tasks_on_china_time_dates(app, new_client, world):
    s = await build(app, new_client, world)
    # 17:30 UTC on 31 December is 01:30 on 1 January in Beijing: the tasks count from there.
    at = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    if at <= datetime.now(UTC):
        at = datetime(datetime.now(UTC).year + 1, 12, 31, 17, 30, tzinfo=UTC)
    await move(s["fair"]["id"], at - timedelta(minutes=30))
    with clock.frozen(at):
        made = await intention(s["e1"], s["fair"]["id"], s["t3"]["code"], s["p2"])
    day = at.astimezone(TZ).date()
    assert day == date(at.year + 1, 1, 1)
    found = await tasks_of(made["id"])
    assert [(t["step"], t["due_on"], t["status"]) for t in found] == [
        (1, str(day + timedelta(days=7)), "open"),
        (2, str(day + timedelta(days=30)), "open"),
        (3, str(day + timedelta(days=90)), "open")]
    # The same through the API: the contract's fields, for the organiser over the fair.
    listed = await s["organiser"].get("/api/v1/followups")
    assert listed.status_code == 200, listed.text
    mine = [i for i in listed.json()["items"] if i["intention"] == made["id"]]
    assert [(i["due_on"], i["status"]) for i in mine] == [(t["due_on"], "open") for t in found]
    assert {"id", "intention", "due_on", "status"} <= set(mine[0])


async def test_a_repeated_intention_makes_no_more_tasks(app, new_client, world):
    s = await build(app, new_client, world)
    again = await intention(s["e1"], s["fair"]["id"], s["t1"]["code"], s["p1"], status=200)
    assert again["id"] == s["i1"]["id"]
    assert len(await tasks_of(s["i1"]["id"])) == 3
    # Twenty at once for a new pair: one intention, three tasks.
    url = f"/api/v1/fairs/{s['fair']['id']}/intentions"
    answers = await asyncio.gather(*(
        s["e1"].post(url, json={"code": s["t2"]["code"], "position": s["p2"]})
        for _ in range(20)))
    assert sorted(a.status_code for a in answers) == [200] * 19 + [201]
    made = {a.json()["id"] for a in answers}
    assert len(made) == 1
    assert [t["step"] for t in await tasks_of(made.pop())] == [1, 2, 3]
    rows = await db.fetch("SELECT COUNT(*) AS n FROM followup_task WHERE fair = {}",
                          s["fair"]["id"])
    assert rows[0]["n"] == 3 * 4


async def test_the_backfill_gives_older_intentions_their_tasks_once(app, new_client, world):
    s = await build(app, new_client, world)
    # An intention written directly (as bulk loads and the demo do): no hook, no tasks.
    at = datetime(2027, 3, 5, 2, tzinfo=UTC)
    async with db.write_transaction():
        rows = await db.execute(
            "INSERT INTO intention (fair, registration, position, employer, created_at) "
            "SELECT i.fair, i.registration, {}, i.employer, {} FROM intention i WHERE i.id = {} "
            "RETURNING id", s["p2"], at, s["i1"]["id"])
    direct = rows[0]["id"]
    assert await tasks_of(direct) == []
    assert await tasks.backfill() == 1
    assert [t["due_on"] for t in await tasks_of(direct)] == [
        "2027-03-12", "2027-04-04", "2027-06-03"]
    assert await tasks.backfill() == 0
    assert len(await tasks_of(direct)) == 3


def test_due_dates_are_china_dates():
    late = datetime(2027, 6, 30, 16, 5, tzinfo=UTC)  # 00:05 on 1 July in Beijing
    assert tasks.due_dates(late) == {1: date(2027, 7, 8), 2: date(2027, 7, 31),
                                     3: date(2027, 9, 29)}
